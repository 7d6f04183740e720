// dockerd's container JSON (GET /containers/json, /containers/{id}/json) to the UI's rows.
import type { ContainerDetail, ContainerRow, ContainerState, PortMapping } from '../../../shared/types.js';

interface RawPort { PrivatePort: number; PublicPort?: number; IP?: string; Type: string }

interface RawContainerSummary {
  Id: string;
  Names?: string[] | null;
  Image?: string;
  Command?: string;
  Created?: number;
  State?: string;
  Status?: string;
  Ports?: RawPort[] | null;
  Labels?: Record<string, string> | null;
}

const states: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

export function containerState(s: string | undefined): ContainerState {
  return states.includes(s as ContainerState) ? (s as ContainerState) : 'dead';
}

// dockerd lists a port once per address family (0.0.0.0 and ::); the UI shows it once.
function ports(raw: RawPort[]): PortMapping[] {
  const seen = new Set<string>();
  const out: PortMapping[] = [];
  for (const p of raw) {
    const key = `${p.PrivatePort}/${p.Type}/${p.PublicPort ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ privatePort: p.PrivatePort, type: p.Type, ...(p.PublicPort ? { publicPort: p.PublicPort } : {}), ...(p.IP ? { ip: p.IP } : {}) });
  }
  return out.sort((a, b) => a.privatePort - b.privatePort);
}

export function containerRow(raw: RawContainerSummary): ContainerRow {
  const labels = raw.Labels ?? {};
  const project = labels['com.docker.compose.project'];
  const service = labels['com.docker.compose.service'];
  return {
    id: raw.Id,
    name: (raw.Names?.[0] ?? raw.Id.slice(0, 12)).replace(/^\//, ''),
    image: raw.Image ?? '',
    command: raw.Command ?? '',
    created: raw.Created ?? 0,
    state: containerState(raw.State),
    status: raw.Status ?? '',
    ports: ports(raw.Ports ?? []),
    labels,
    ...(project ? { project } : {}),
    ...(service ? { service } : {}),
  };
}

interface RawContainerInspect {
  Id: string;
  Name?: string;
  Image?: string;
  Config?: { Image?: string; Tty?: boolean; Cmd?: string[] | null; Env?: string[] | null } | null;
  State?: { Status?: string; StartedAt?: string; FinishedAt?: string; ExitCode?: number; Error?: string } | null;
  Mounts?: { Type?: string; Name?: string; Source?: string; Destination?: string; RW?: boolean }[] | null;
  HostConfig?: { RestartPolicy?: { Name?: string; MaximumRetryCount?: number } } | null;
  NetworkSettings?: {
    Ports?: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
    Networks?: Record<string, { IPAddress?: string }> | null;
  } | null;
}

const zeroTime = (t?: string) => !t || t.startsWith('0001-01-01');

export function inspectPorts(raw: RawContainerInspect['NetworkSettings']): PortMapping[] {
  const flat: RawPort[] = [];
  for (const [key, bindings] of Object.entries(raw?.Ports ?? {})) {
    const [port, type = 'tcp'] = key.split('/');
    const privatePort = Number(port);
    if (!bindings?.length) flat.push({ PrivatePort: privatePort, Type: type });
    for (const b of bindings ?? []) flat.push({ PrivatePort: privatePort, Type: type, PublicPort: Number(b.HostPort), IP: b.HostIp });
  }
  return ports(flat);
}

export function containerDetail(raw: RawContainerInspect): ContainerDetail {
  const st = raw.State ?? {};
  const policy = raw.HostConfig?.RestartPolicy;
  return {
    id: raw.Id,
    name: (raw.Name ?? '').replace(/^\//, ''),
    image: raw.Config?.Image ?? '',
    imageId: raw.Image ?? '',
    state: containerState(st.Status),
    ...(zeroTime(st.StartedAt) ? {} : { startedAt: st.StartedAt }),
    ...(zeroTime(st.FinishedAt) ? {} : { finishedAt: st.FinishedAt }),
    ...(st.ExitCode !== undefined ? { exitCode: st.ExitCode } : {}),
    ...(st.Error ? { error: st.Error } : {}),
    tty: raw.Config?.Tty ?? false,
    cmd: raw.Config?.Cmd ?? [],
    env: raw.Config?.Env ?? [],
    mounts: (raw.Mounts ?? []).map((m) => ({
      type: m.Type ?? 'bind',
      source: m.Name ?? m.Source ?? '',
      destination: m.Destination ?? '',
      readOnly: m.RW === false,
    })),
    ports: inspectPorts(raw.NetworkSettings),
    networks: Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, n]) => ({ name, ipAddress: n.IPAddress ?? '' })),
    restartPolicy: policy?.Name ? (policy.Name === 'on-failure' && policy.MaximumRetryCount ? `on-failure:${policy.MaximumRetryCount}` : policy.Name) : 'no',
    raw,
  };
}
