import { InvalidArgument } from '../base/errors.js';
import { isIp6Text, isLoopback, parseIp4 } from './ipv4.js';

/**
 * The text of a container's /etc/hosts and /etc/resolv.conf, as dockerd writes them. Pure functions: the
 * containers layer writes the files and bind-mounts them.
 */

const DEFAULT_HOSTS: Array<[string, string]> = [
  ['127.0.0.1', 'localhost'],
  ['::1', 'localhost ip6-localhost ip6-loopback'],
  ['fe00::', 'ip6-localnet'],
  ['ff00::', 'ip6-mcastprefix'],
  ['ff02::1', 'ip6-allnodes'],
  ['ff02::2', 'ip6-allrouters'],
];

export interface HostsInput {
  hostname: string;
  domainname?: string;
  /** The container's address on its first network; absent for `--network none`. */
  ip?: string;
  /** `--add-host` entries, `name:ip` or `name=ip`; `host-gateway` becomes hostGatewayIp. */
  extraHosts?: string[];
  hostGatewayIp?: string;
}

export function parseExtraHost(entry: string, hostGatewayIp?: string): { host: string; ip: string } {
  const sep = entry.includes('=') ? entry.indexOf('=') : entry.indexOf(':');
  if (sep <= 0) throw new InvalidArgument(`invalid extra host entry: ${JSON.stringify(entry)}: expected "name:ip"`);
  const host = entry.slice(0, sep);
  let ip = entry.slice(sep + 1).replace(/^\[(.*)\]$/, '$1');
  if (ip === 'host-gateway') {
    if (!hostGatewayIp) throw new InvalidArgument('unable to derive the IP value for host-gateway');
    ip = hostGatewayIp;
  }
  if (parseIp4(ip) === undefined && !isIp6Text(ip)) throw new InvalidArgument(`invalid IP address in add-host: "${ip}"`);
  return { host, ip };
}

export function buildHostsFile(input: HostsInput): string {
  const lines = DEFAULT_HOSTS.map(([ip, names]) => `${ip}\t${names}`);
  for (const entry of input.extraHosts ?? []) {
    const { host, ip } = parseExtraHost(entry, input.hostGatewayIp);
    lines.push(`${ip}\t${host}`);
  }
  if (input.ip) {
    const names = input.domainname ? `${input.hostname}.${input.domainname} ${input.hostname}` : input.hostname;
    lines.push(`${input.ip}\t${names}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface ParsedResolvConf {
  nameservers: string[];
  search: string[];
  options: string[];
}

export function parseResolvConf(text: string): ParsedResolvConf {
  const out: ParsedResolvConf = { nameservers: [], search: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.search = rest;
    else if (key === 'options') out.options.push(...rest);
  }
  return out;
}

export interface ResolvConfInput {
  /** The host's /etc/resolv.conf text. */
  host: string;
  hostPath?: string;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  /** The embedded resolver's address, for containers on user-defined networks. */
  embeddedResolver?: string;
}

export interface ResolvConfResult {
  text: string;
  /** The servers the embedded resolver should forward this container's other queries to. */
  upstreams: string[];
}

const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

function isLoopbackServer(ns: string): boolean {
  const ip = parseIp4(ns);
  return ip !== undefined ? isLoopback(ip) : ns === '::1';
}

/**
 * dockerd's resolv.conf: host settings minus loopback nameservers (unreachable from a container), overridden by
 * --dns / --dns-search / --dns-option; with the embedded resolver, that becomes the only nameserver and the
 * other servers become its upstreams, with `ndots:0` unless an ndots option was given.
 */
export function buildResolvConf(input: ResolvConfInput): ResolvConfResult {
  const host = parseResolvConf(input.host);
  const overrides: string[] = [];
  let servers = host.nameservers;
  let search = host.search;
  let options = host.options;
  if (input.dns && input.dns.length > 0) {
    servers = input.dns;
    overrides.push('nameservers');
  }
  if (input.dnsSearch && input.dnsSearch.length > 0) {
    search = input.dnsSearch.filter((s) => s !== '.');
    overrides.push('search');
  }
  if (input.dnsOptions && input.dnsOptions.length > 0) {
    options = input.dnsOptions;
    overrides.push('options');
  }
  const based = `# Based on host file: '${input.hostPath ?? '/etc/resolv.conf'}'`;
  const footer: string[] = [];
  let shownServers: string[];
  let upstreams: string[];
  if (input.embeddedResolver) {
    upstreams = servers;
    shownServers = [input.embeddedResolver];
    footer.push(`${based} (internal resolver)`, `# ExtServers: [${upstreams.map((s) => (isLoopbackServer(s) ? `host(${s})` : s)).join(' ')}]`);
    if (!options.some((o) => o.startsWith('ndots:'))) {
      options = [...options, 'ndots:0'];
      footer.push(`# Overrides: [${overrides.join(' ')}]`, '# Option ndots from: internal');
    } else {
      footer.push(`# Overrides: [${overrides.join(' ')}]`);
    }
  } else {
    const usable = servers.filter((s) => !isLoopbackServer(s));
    shownServers = usable.length > 0 ? usable : DEFAULT_NAMESERVERS;
    upstreams = shownServers;
    footer.push(based, `# Overrides: [${overrides.join(' ')}]`);
  }
  const body = [
    '# Generated by Docker Engine.',
    '# This file can be edited; Docker Engine will not make further changes once it',
    '# has been modified.',
    '',
    ...shownServers.map((s) => `nameserver ${s}`),
    ...(search.length > 0 ? [`search ${search.join(' ')}`] : []),
    ...(options.length > 0 ? [`options ${options.join(' ')}`] : []),
    '',
    ...footer,
  ];
  return { text: `${body.join('\n')}\n`, upstreams };
}
