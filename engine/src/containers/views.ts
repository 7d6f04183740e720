import { InvalidArgument } from '../base/errors.js';
import type { Filters } from '../base/filters.js';
import type { ContainerRecord, MountPoint } from './types.js';
import { statusText } from './status-text.js';

function publicMounts(mounts: MountPoint[]): Record<string, unknown>[] {
  return mounts.map(({ Anonymous: _a, ...m }) => m);
}

/** `GET /containers/{id}/json`, in dockerd's shape. */
export function inspectView(record: ContainerRecord, paths: { logPath: string; dir: string; merged: string; lowerDirs: string[] }): Record<string, unknown> {
  return {
    Id: record.Id,
    Created: record.Created,
    Path: record.Path,
    Args: record.Args,
    State: record.State,
    Image: record.ImageId,
    ResolvConfPath: `${paths.dir}/resolv.conf`,
    HostnamePath: `${paths.dir}/hostname`,
    HostsPath: `${paths.dir}/hosts`,
    LogPath: record.HostConfig.LogConfig.Type === 'none' ? '' : paths.logPath,
    Name: record.Name,
    RestartCount: record.RestartCount,
    Driver: 'overlayfs',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: record.ExecIDs.length > 0 ? record.ExecIDs : null,
    HostConfig: record.HostConfig,
    GraphDriver: {
      Name: 'overlayfs',
      Data: {
        LowerDir: [...paths.lowerDirs].reverse().join(':'),
        MergedDir: paths.merged,
        UpperDir: `${paths.dir}/rw/upper`,
        WorkDir: `${paths.dir}/rw/work`,
      },
    },
    Mounts: publicMounts(record.Mounts),
    Config: record.Config,
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      SandboxKey: '',
      Ports: {},
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: '',
      Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: '',
      IPPrefixLen: 0,
      IPv6Gateway: '',
      MacAddress: '',
      Networks: {},
      ...record.NetworkSettings,
    },
  };
}

interface PortEntry {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

function portList(record: ContainerRecord): PortEntry[] {
  const ports = (record.NetworkSettings.Ports ?? {}) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
  const out: PortEntry[] = [];
  for (const [key, bindings] of Object.entries(ports)) {
    const [port = '0', proto = 'tcp'] = key.split('/');
    if (!bindings || bindings.length === 0 || !record.State.Running) {
      out.push({ PrivatePort: Number(port), Type: proto });
      continue;
    }
    for (const b of bindings) out.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: proto });
  }
  return out;
}

/**
 * The list's `Command`: dockerd joins the path and args with spaces, quoting an argument that holds a space in
 * single quotes, so `sh -c 'a b'` reads as it was typed.
 */
export function commandText(record: Pick<ContainerRecord, 'Path' | 'Args'>): string {
  if (record.Args.length === 0) return record.Path;
  return `${record.Path} ${record.Args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** One entry of `GET /containers/json`. */
export function summaryView(record: ContainerRecord): Record<string, unknown> {
  return {
    Id: record.Id,
    Names: [record.Name],
    Image: record.Config.Image,
    ImageID: record.ImageId,
    Command: commandText(record),
    Created: Math.floor(Date.parse(record.Created) / 1000),
    Ports: portList(record),
    Labels: record.Config.Labels,
    State: record.State.Status,
    Status: statusText(record),
    HostConfig: { NetworkMode: record.HostConfig.NetworkMode },
    NetworkSettings: { Networks: (record.NetworkSettings.Networks ?? {}) as Record<string, unknown> },
    Mounts: publicMounts(record.Mounts),
  };
}

export const CONTAINER_FILTER_KEYS = [
  'ancestor', 'before', 'expose', 'exited', 'health', 'id', 'isolation', 'is-task', 'label', 'name', 'network',
  'publish', 'since', 'status', 'volume',
];

const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/**
 * `docker ps` selection: running only unless `all` (or a filter that implies stopped ones), newest first, with
 * dockerd's filter semantics. `imageMatches(ref, imageId)` answers `ancestor`.
 */
export function selectContainers(
  records: ContainerRecord[],
  opts: { all: boolean; limit: number; filters: Filters; hidden?: (r: ContainerRecord) => boolean },
  lookup: (idOrName: string) => ContainerRecord | undefined,
  imageMatches: (ref: string, imageId: string) => boolean,
): ContainerRecord[] {
  const f = opts.filters.validate(CONTAINER_FILTER_KEYS);
  for (const s of f.get('status')) {
    if (!STATUSES.includes(s)) throw new InvalidArgument(`invalid filter 'status=${s}'`);
  }
  const sorted = [...records].sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created) || (b.Id < a.Id ? -1 : 1));
  const beforeRec = f.get('before')[0] ? lookup(f.get('before')[0] as string) : undefined;
  const sinceRec = f.get('since')[0] ? lookup(f.get('since')[0] as string) : undefined;
  const implicitAll = opts.all || f.has('status') || f.has('exited') || f.has('since') || f.has('before');
  const out = sorted.filter((r) => {
    if (!implicitAll && !r.State.Running) return false;
    if (opts.hidden?.(r)) return false;
    if (!f.exactMatch('status', r.State.Status)) return false;
    if (!f.fuzzyMatch('id', r.Id)) return false;
    if (!f.regexMatch('name', r.Name.replace(/^\//, '')) && !f.regexMatch('name', r.Name)) return false;
    if (!f.matchKVList('label', r.Config.Labels)) return false;
    if (f.has('exited') && (r.State.Running || !f.get('exited').includes(String(r.State.ExitCode)) || !r.State.StartedAt)) return false;
    if (f.has('ancestor') && !f.get('ancestor').some((a) => imageMatches(a, r.ImageId))) return false;
    if (f.has('health') && !f.exactMatch('health', r.State.Health?.Status ?? 'none')) return false;
    if (f.has('network') && !Object.keys((r.NetworkSettings.Networks ?? {}) as object).some((n) => f.exactMatch('network', n))) return false;
    if (f.has('volume') && !r.Mounts.some((m) => f.exactMatch('volume', m.Name ?? '') || f.exactMatch('volume', m.Destination) || f.exactMatch('volume', m.Source))) return false;
    if (f.has('is-task') && f.boolValue('is-task')) return false;
    if (beforeRec && Date.parse(r.Created) >= Date.parse(beforeRec.Created)) return false;
    if (sinceRec && Date.parse(r.Created) <= Date.parse(sinceRec.Created)) return false;
    if (f.has('expose') || f.has('publish')) {
      const key = f.has('expose') ? 'expose' : 'publish';
      const ports = key === 'expose' ? Object.keys(r.Config.ExposedPorts ?? {}) : Object.keys((r.NetworkSettings.Ports ?? {}) as object);
      if (!ports.some((p) => f.get(key).some((want) => p === want || p === `${want}/tcp`))) return false;
    }
    return true;
  });
  return opts.limit > 0 ? out.slice(0, opts.limit) : out;
}

