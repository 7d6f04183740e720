import { InvalidArgument } from '../base/errors.js';
import type { PublishRequest } from './endpoints.js';
import type { Proto } from './ports.js';

export type PortBindings = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

/** `80/tcp` → [80, 'tcp']; a bare number is TCP, as in dockerd. */
export function parsePortKey(key: string): [number, Proto] {
  const [portText = '', protoText = 'tcp'] = key.split('/');
  const port = Number(portText);
  const proto = protoText.toLowerCase();
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new InvalidArgument(`invalid port specification: "${key}"`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new InvalidArgument(`invalid proto: ${protoText}`);
  return [port, proto];
}

function parseHostPort(text: string, key: string): { hostPort: number; hostPortEnd?: number } {
  if (text === '') return { hostPort: 0 };
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  const start = Number(m?.[1]);
  const end = m?.[2] !== undefined ? Number(m[2]) : undefined;
  if (!m || start > 65535 || (end !== undefined && (end < start || end > 65535))) {
    throw new InvalidArgument(`invalid hostPort: ${text} (for ${key})`);
  }
  return end !== undefined && end !== start ? { hostPort: start, hostPortEnd: end } : { hostPort: start };
}

/**
 * What to publish for a container: its `HostConfig.PortBindings` (`-p`), plus with `PublishAllPorts` (`-P`) an
 * ephemeral port for every exposed port that has no binding.
 */
export function publishRequests(bindings: PortBindings | null | undefined, exposed: string[], publishAll: boolean): PublishRequest[] {
  const out: PublishRequest[] = [];
  const bound = new Set<string>();
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const [containerPort, proto] = parsePortKey(key);
    bound.add(`${containerPort}/${proto}`);
    for (const b of list ?? [{}]) {
      out.push({ hostIp: b.HostIp ?? '', ...parseHostPort(b.HostPort ?? '', key), containerPort, proto });
    }
  }
  if (publishAll) {
    for (const key of exposed) {
      const [containerPort, proto] = parsePortKey(key);
      if (!bound.has(`${containerPort}/${proto}`)) out.push({ hostIp: '', hostPort: 0, containerPort, proto });
    }
  }
  return out;
}
