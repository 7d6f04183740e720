// The Run dialog's fields to a POST /containers/create body, parsed the way `docker run -p/-e/-v` parses them.
import type { RunSpec } from '../../../shared/types.js';

export interface CreateBody {
  Image: string;
  Env?: string[];
  Cmd?: string[];
  ExposedPorts?: Record<string, object>;
  HostConfig: {
    PortBindings?: Record<string, { HostIp: string; HostPort: string }[]>;
    Binds?: string[];
    Mounts?: { Type: 'volume'; Source: string; Target: string; ReadOnly: boolean }[];
    AutoRemove?: boolean;
  };
}

/** `[ip:][hostPort:]containerPort[/proto]`; throws with the CLI's wording on nonsense. */
export function parsePort(spec: string): { key: string; binding?: { HostIp: string; HostPort: string } } {
  const [addr = '', proto = 'tcp'] = spec.trim().split('/');
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid proto: ${proto}`);
  const parts = addr.split(':');
  const container = parts.pop() ?? '';
  if (!/^\d+$/.test(container) || Number(container) < 1 || Number(container) > 65535) throw new Error(`invalid containerPort: ${container}`);
  const key = `${container}/${proto}`;
  // `-p 80` publishes too (on a port the engine picks), as the docker CLI sends it.
  if (parts.length === 0) return { key, binding: { HostIp: '', HostPort: '' } };
  const host = parts.pop() ?? '';
  const ip = parts.join(':');
  if (host !== '' && (!/^\d+$/.test(host) || Number(host) > 65535)) throw new Error(`invalid hostPort: ${host}`);
  return { key, binding: { HostIp: ip, HostPort: host } };
}

export function createBody(spec: RunSpec): CreateBody {
  const body: CreateBody = { Image: spec.image.trim(), HostConfig: {} };
  const env = spec.env.map((e) => e.trim()).filter(Boolean);
  if (env.length) body.Env = env;
  if (spec.command.length) body.Cmd = spec.command;
  for (const p of spec.ports.map((s) => s.trim()).filter(Boolean)) {
    const { key, binding } = parsePort(p);
    (body.ExposedPorts ??= {})[key] = {};
    if (binding) ((body.HostConfig.PortBindings ??= {})[key] ??= []).push(binding);
  }
  for (const v of spec.volumes.map((s) => s.trim()).filter(Boolean)) {
    const [source = '', target, mode] = v.split(':');
    if (!target?.startsWith('/')) throw new Error(`invalid volume specification: '${v}'`);
    // Host paths go as binds; names are volumes (created on demand by the engine).
    if (source.startsWith('/')) (body.HostConfig.Binds ??= []).push(v);
    else (body.HostConfig.Mounts ??= []).push({ Type: 'volume', Source: source, Target: target, ReadOnly: mode === 'ro' });
  }
  if (spec.autoRemove) body.HostConfig.AutoRemove = true;
  return body;
}
