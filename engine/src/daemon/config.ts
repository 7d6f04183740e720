import { readFileSync } from 'node:fs';
import { InvalidArgument } from '../base/errors.js';
import { LOG_LEVELS, type LogLevel } from '../base/log.js';
import { parseAddressPool, parseCidr, type AddressPool } from './cidr.js';

/** berthd's effective configuration: flags merged with daemon.json. */
export interface DaemonConfig {
  hosts: string[];
  /**
   * Sockets serving the unfiltered API, as Docker Desktop's VM serves `/var/run/docker.sock.raw` to extensions:
   * extension containers are listed there whatever the "Show extension containers" setting says
   * (api/raw-connections.ts). A flag only (`--raw-host`): dockerd has no such directive for daemon.json.
   */
  rawHosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  configFile: string;
  logLevel: LogLevel;
  insecureRegistries: string[];
  registryMirrors: string[];
  defaultRuntime: string;
  bip: string | undefined;
  defaultAddressPools: AddressPool[];
  bridgeName: string;
  /**
   * What `host-gateway` in `--add-host` means (dockerd's `--host-gateway-ip`; default the default bridge's
   * gateway). When set explicitly (as in the Berth VM, where the user's machine is 10.0.2.2), every container on a
   * bridge network also gets `host.docker.internal` pointing there, as Docker Desktop does.
   */
  hostGatewayIp: string | undefined;
  /** The group that may use the API socket (dockerd's `--group`). */
  group: string;
  /** daemon.json keys dockerd knows that later subsystems read (log-driver, dns, runtimes, …), kept verbatim. */
  extra: Record<string, unknown>;
}

export const DEFAULT_CONFIG_FILE = '/etc/berth/daemon.json';

export const DEFAULTS: Omit<DaemonConfig, 'extra'> = {
  hosts: ['unix:///run/berth/berthd.sock'],
  rawHosts: [],
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  pidfile: '/run/berth/berthd.pid',
  configFile: DEFAULT_CONFIG_FILE,
  logLevel: 'info',
  insecureRegistries: [],
  registryMirrors: [],
  defaultRuntime: 'runc',
  bip: undefined,
  defaultAddressPools: [
    { base: '172.30.0.0/16', size: 24 },
    { base: '172.31.0.0/16', size: 24 },
  ],
  bridgeName: 'berth0',
  hostGatewayIp: undefined,
  group: 'docker',
};

/** daemon.json keys that map onto DaemonConfig fields (dockerd's spelling). */
const FILE_KEYS: Record<string, keyof DaemonConfig> = {
  hosts: 'hosts',
  'data-root': 'dataRoot',
  'exec-root': 'execRoot',
  pidfile: 'pidfile',
  'log-level': 'logLevel',
  'insecure-registries': 'insecureRegistries',
  'registry-mirrors': 'registryMirrors',
  'default-runtime': 'defaultRuntime',
  bip: 'bip',
  'default-address-pools': 'defaultAddressPools',
  'bridge-name': 'bridgeName',
  'host-gateway-ip': 'hostGatewayIp',
  group: 'group',
};

/** dockerd directives berthd accepts in daemon.json and hands to the subsystems that use them. */
const PASSTHROUGH_KEYS = new Set([
  'debug', 'experimental', 'features', 'labels', 'log-driver', 'log-opts', 'dns', 'dns-opts', 'dns-search',
  'default-ulimits', 'runtimes', 'storage-driver', 'storage-opts', 'mtu', 'max-concurrent-downloads',
  'max-concurrent-uploads', 'max-download-attempts', 'live-restore', 'iptables', 'ip6tables', 'ip-forward',
  'ip-masq', 'userland-proxy', 'shutdown-timeout', 'default-shm-size', 'cgroup-parent', 'default-cgroupns-mode',
  'default-ipc-mode', 'builder', 'exec-opts', 'init', 'init-path', 'seccomp-profile', 'no-new-privileges', 'icc',
  'ipv6', 'fixed-cidr', 'fixed-cidr-v6', 'default-gateway', 'proxies', 'containerd',
  'allow-nondistributable-artifacts',
]);

/** What the command line set explicitly (only these can conflict with the file). */
export type FlagValues = Partial<Omit<DaemonConfig, 'extra' | 'configFile'>> & { configFile?: string };

function formatValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(' ')}]`;
  return String(v);
}

/** Reads daemon.json; a missing default file is fine, a missing file named by --config-file is not. */
export function readConfigFile(file: string, explicit: boolean): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return {};
    throw new InvalidArgument(`unable to configure berthd with file ${file}: ${(err as Error).message}`);
  }
  if (raw.trim() === '') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new InvalidArgument(`unable to configure berthd with file ${file}: ${(err as Error).message}`);
  }
}

/**
 * Merges flags over daemon.json over defaults, failing as dockerd does when a directive is both a flag and in the
 * file, or when the file has a directive that no option matches.
 */
export function mergeConfig(flags: FlagValues, file: Record<string, unknown>, fileName: string): DaemonConfig {
  const unknown = Object.keys(file).filter((k) => !(k in FILE_KEYS) && !PASSTHROUGH_KEYS.has(k));
  const fail = (msg: string): never => {
    throw new InvalidArgument(`unable to configure berthd with file ${fileName}: ${msg}`);
  };
  if (unknown.length > 0) fail(`the following directives don't match any configuration option: ${unknown.join(', ')}`);
  const conflicts: string[] = [];
  const fromFile: Partial<DaemonConfig> = {};
  for (const [key, field] of Object.entries(FILE_KEYS)) {
    if (!(key in file)) continue;
    const flagValue = flags[field as keyof FlagValues];
    if (flagValue !== undefined) conflicts.push(`${key}: (from flag: ${formatValue(flagValue)}, from file: ${formatValue(file[key])})`);
    (fromFile as Record<string, unknown>)[field] = file[key];
  }
  if (conflicts.length > 0) {
    fail(`the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`);
  }
  const extra: Record<string, unknown> = {};
  for (const k of Object.keys(file)) if (PASSTHROUGH_KEYS.has(k)) extra[k] = file[k];
  const definedFlags = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  const merged = { ...DEFAULTS, ...fromFile, ...definedFlags, configFile: fileName, extra } as DaemonConfig;
  if (merged.logLevel === DEFAULTS.logLevel && file.debug === true && flags.logLevel === undefined) merged.logLevel = 'debug';
  return validateConfig(merged);
}

function stringList(name: string, v: unknown): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new InvalidArgument(`${name} must be a list of strings`);
  return v as string[];
}

export function validateConfig(c: DaemonConfig): DaemonConfig {
  if (!(LOG_LEVELS as readonly string[]).includes(c.logLevel)) {
    throw new InvalidArgument(`unable to parse logging level: ${c.logLevel}`);
  }
  c.hosts = stringList('hosts', c.hosts);
  c.rawHosts = stringList('raw hosts', c.rawHosts);
  c.insecureRegistries = stringList('insecure-registries', c.insecureRegistries);
  c.registryMirrors = stringList('registry-mirrors', c.registryMirrors);
  for (const m of c.registryMirrors) {
    if (!/^https?:\/\/[^/]+/.test(m)) throw new InvalidArgument(`invalid mirror: "${m}" is not a valid URI: it must start with http:// or https://`);
  }
  if (c.bip !== undefined) parseCidr(c.bip, 'bip');
  if (c.hostGatewayIp !== undefined) parseCidr(`${c.hostGatewayIp}/32`, 'host-gateway-ip');
  c.defaultAddressPools = (c.defaultAddressPools as unknown[]).map((p) =>
    typeof p === 'string' ? parseAddressPool(p) : parseAddressPool(`base=${(p as AddressPool).base},size=${(p as AddressPool).size}`),
  );
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,14}$/.test(c.bridgeName)) {
    throw new InvalidArgument(`invalid bridge name "${c.bridgeName}": use 1 to 15 letters, digits, '_', '.' or '-'`);
  }
  const runtimes = new Set(['runc', 'crun', ...Object.keys((c.extra.runtimes as Record<string, unknown> | undefined) ?? {})]);
  if (!runtimes.has(c.defaultRuntime)) {
    throw new InvalidArgument(`default runtime ${c.defaultRuntime} does not exist: berthd knows ${[...runtimes].join(', ')}`);
  }
  return c;
}
