import { readFileSync } from 'node:fs';
import { parseResolvConf } from '../sandbox-files.js';
import type { EndpointRecord, NetworkRecord } from '../types.js';
import type { DnsBackend } from './server.js';
import type { Upstream } from './upstream.js';

function withDns(n: NetworkRecord): boolean {
  return n.driver === 'bridge' && !n.predefined;
}

/**
 * Name resolution for the embedded DNS of one network: a client (a container on it, known by its address there)
 * sees the containers of every user-defined network it is attached to (this network first), by container name,
 * short ID, alias, and `name.network`.
 */
export class NetworkNames implements DnsBackend {
  constructor(
    private readonly networkId: string,
    private readonly networks: () => NetworkRecord[],
    private readonly defaultUpstreams: () => Upstream[],
  ) {}

  serves(clientIp: string): boolean {
    return this.client(clientIp).endpoint !== undefined;
  }

  private client(clientIp: string): { visible: NetworkRecord[]; endpoint?: EndpointRecord } {
    const all = this.networks().filter(withDns);
    const own = all.find((n) => n.id === this.networkId);
    if (!own) return { visible: [] };
    const endpoint = Object.values(own.endpoints).find((e) => e.ipv4 === clientIp);
    if (!endpoint) return { visible: [own] };
    const others = all.filter((n) => n.id !== own.id && n.endpoints[endpoint.containerId]);
    return { visible: [own, ...others], endpoint };
  }

  resolve(name: string, clientIp: string): string[] | undefined {
    const { visible, endpoint } = this.client(clientIp);
    let wanted = name.toLowerCase();
    // A legacy link (`--link target:alias` on a user-defined network) names the target for this container only.
    const link = endpoint?.links?.map((l) => l.split(':')).find(([target, alias]) => (alias ?? target)?.toLowerCase() === wanted);
    if (link?.[0]) wanted = link[0].replace(/^\//, '').toLowerCase();
    for (const n of visible) {
      const suffix = `.${n.name.toLowerCase()}`;
      const bare = wanted.endsWith(suffix) ? wanted.slice(0, -suffix.length) : undefined;
      const ips = Object.values(n.endpoints)
        .filter((e) => e.ipv4 && e.dnsNames.some((d) => d.toLowerCase() === wanted || d.toLowerCase() === bare))
        .map((e) => e.ipv4);
      if (ips.length > 0) return ips;
    }
    return undefined;
  }

  reverse(ip: string, clientIp: string): string | undefined {
    for (const n of this.client(clientIp).visible) {
      const ep = Object.values(n.endpoints).find((e) => e.ipv4 === ip);
      if (ep) return `${ep.containerName}.${n.name}`;
    }
    return undefined;
  }

  upstreams(clientIp: string): Upstream[] {
    const custom = this.client(clientIp).endpoint?.dnsUpstreams;
    if (custom && custom.length > 0) return custom.map((host) => ({ host, port: 53 }));
    return this.defaultUpstreams();
  }
}

/** The host's nameservers, read per call so an edited /etc/resolv.conf takes effect without a restart. */
export function hostUpstreams(resolvConfPath = '/etc/resolv.conf'): Upstream[] {
  try {
    return parseResolvConf(readFileSync(resolvConfPath, 'utf8')).nameservers.map((host) => ({ host, port: 53 }));
  } catch {
    return [];
  }
}
