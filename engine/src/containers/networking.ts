import { promises as fs } from 'node:fs';
import { InvalidArgument } from '../base/errors.js';
import { buildHostsFile, buildResolvConf } from '../network/sandbox-files.js';
import type { ContainerRecord } from './types.js';

/** How a container joins the network, decided at start. */
export type NetnsChoice = { kind: 'host' } | { kind: 'new' } | { kind: 'path'; path: string };

export interface NetworkSetup {
  netns: NetnsChoice;
  /** Contents of the container's /etc/hosts and /etc/resolv.conf. */
  hosts: string;
  resolvConf: string;
  /** `NetworkSettings` for inspect and list. */
  settings: Record<string, unknown>;
}

/**
 * The seam to the network layer (engine/src/network): set a container's networking up before its process starts,
 * and tear it down after it exits.
 */
export interface ContainerNetworking {
  setup(record: ContainerRecord, peer: (idOrName: string) => ContainerRecord): Promise<NetworkSetup>;
  teardown(record: ContainerRecord): Promise<void>;
  /** Called when the container is removed (release addresses, endpoints). */
  remove?(record: ContainerRecord): Promise<void>;
  /** At create: the networks named exist (404 `network x not found` otherwise). */
  validate?(record: ContainerRecord): void;
  /** After berthd restarts: release what belongs to containers that are no longer running. */
  reconcile?(runningIds: string[]): Promise<void>;
}

/** `--dns`, `--dns-search`, `--dns-option` on the host's own resolv.conf (host network: its nameservers work). */
function hostModeResolvConf(base: string, record: ContainerRecord): string {
  const h = record.HostConfig;
  if (h.Dns.length === 0 && h.DnsSearch.length === 0 && h.DnsOptions.length === 0) return base;
  const keep = base.split('\n').filter(
    (l) =>
      l.trim() !== '' &&
      !(h.Dns.length > 0 && /^\s*nameserver\s/.test(l)) &&
      !(h.DnsSearch.length > 0 && /^\s*(search|domain)\s/.test(l)) &&
      !(h.DnsOptions.length > 0 && /^\s*options\s/.test(l)),
  );
  const out = [...keep];
  if (h.DnsSearch.length > 0) out.push(`search ${h.DnsSearch.join(' ')}`);
  out.push(...h.Dns.map((d) => `nameserver ${d}`));
  if (h.DnsOptions.length > 0) out.push(`options ${h.DnsOptions.join(' ')}`);
  return `${out.join('\n')}\n`;
}

/** The network layer's /etc/hosts and /etc/resolv.conf, for a container with no endpoint of its own. */
async function sandboxFiles(record: ContainerRecord): Promise<{ hosts: string; resolvConf: string }> {
  const h = record.HostConfig;
  const hosts = buildHostsFile({ hostname: record.Config.Hostname, domainname: record.Config.Domainname, extraHosts: h.ExtraHosts ?? [] });
  const host = await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const resolv = buildResolvConf({ host, dns: h.Dns, dnsSearch: h.DnsSearch, dnsOptions: h.DnsOptions });
  return { hosts, resolvConf: resolv.text };
}

/**
 * Networking without the bridge driver: `none` (a fresh namespace with loopback only), `host`, and
 * `container:<id>`. The network layer replaces this with one that also serves bridge networks.
 */
export class BasicNetworking implements ContainerNetworking {
  async setup(record: ContainerRecord, peer: (idOrName: string) => ContainerRecord): Promise<NetworkSetup> {
    const mode = record.HostConfig.NetworkMode;
    const settings = { Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, Networks: {} };
    if (mode === 'host') {
      const hosts = await fs.readFile('/etc/hosts', 'utf8').catch(() => buildHostsFile({ hostname: record.Config.Hostname }));
      const resolv = await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => buildResolvConf({ host: '' }).text);
      return { netns: { kind: 'host' }, hosts, resolvConf: hostModeResolvConf(resolv, record), settings };
    }
    if (mode.startsWith('container:')) {
      const other = peer(mode.slice('container:'.length));
      if (!other.State.Running) throw new InvalidArgument(`cannot join network namespace of a non running container: container ${other.Id} is ${other.State.Status}`);
      return { netns: { kind: 'path', path: `/proc/${other.State.Pid}/ns/net` }, ...(await sandboxFiles(record)), settings };
    }
    return { netns: { kind: 'new' }, ...(await sandboxFiles(record)), settings: { ...settings, Networks: { [mode]: {} } } };
  }

  async teardown(): Promise<void> {}
}
