import { promises as fs } from 'node:fs';
import { InvalidArgument } from '../base/errors.js';
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

export const BASE_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
].join('\n');

const FALLBACK_DNS = 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n';

/** The host's resolv.conf minus loopback nameservers (unreachable from a container), as dockerd filters it. */
export async function hostResolvConf(path = '/etc/resolv.conf'): Promise<string> {
  const text = await fs.readFile(path, 'utf8').catch(() => '');
  const lines = text.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  const kept = lines.join('\n').trim();
  return /^\s*nameserver\s/m.test(kept) ? `${kept}\n` : `${kept ? `${kept}\n` : ''}${FALLBACK_DNS}`;
}

/** `--dns`, `--dns-search`, `--dns-option` replace what they name, as dockerd does. */
export function applyDnsOptions(base: string, record: ContainerRecord): string {
  const h = record.HostConfig;
  if (h.Dns.length === 0 && h.DnsSearch.length === 0 && h.DnsOptions.length === 0) return base;
  const lines = base.split('\n').filter((l) => l.trim() !== '');
  const keep = lines.filter(
    (l) =>
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

/** `--add-host name:ip` lines (dockerd writes them after the base entries). */
export function extraHostLines(record: ContainerRecord, hostGatewayIp: string | undefined): string[] {
  return (record.HostConfig.ExtraHosts ?? []).map((entry) => {
    const sep = entry.includes('=') ? '=' : ':';
    const i = entry.indexOf(sep);
    const name = entry.slice(0, i);
    let ip = entry.slice(i + 1).replace(/^\[(.*)\]$/, '$1');
    if (ip === 'host-gateway') {
      if (!hostGatewayIp) throw new InvalidArgument('unable to derive the IP value for host-gateway');
      ip = hostGatewayIp;
    }
    return `${ip}\t${name}`;
  });
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
      const hosts = await fs.readFile('/etc/hosts', 'utf8').catch(() => `${BASE_HOSTS}\n`);
      const resolv = await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => FALLBACK_DNS);
      return { netns: { kind: 'host' }, hosts, resolvConf: applyDnsOptions(resolv, record), settings };
    }
    if (mode.startsWith('container:')) {
      const other = peer(mode.slice('container:'.length));
      if (!other.State.Running) throw new InvalidArgument(`cannot join network namespace of a non running container: container ${other.Id} is ${other.State.Status}`);
      return {
        netns: { kind: 'path', path: `/proc/${other.State.Pid}/ns/net` },
        hosts: `${BASE_HOSTS}\n`,
        resolvConf: applyDnsOptions(await hostResolvConf(), record),
        settings,
      };
    }
    const extra = extraHostLines(record, undefined);
    return {
      netns: { kind: 'new' },
      hosts: `${BASE_HOSTS}\n${extra.map((l) => `${l}\n`).join('')}`,
      resolvConf: applyDnsOptions(await hostResolvConf(), record),
      settings: { ...settings, Networks: { [mode]: {} } },
    };
  }

  async teardown(): Promise<void> {}
}
