// What the Settings view may change on the host, and the rules a change must follow. Pure, so the renderer
// shows the same messages as it types that the host enforces when it saves.

export interface SettingsChange {
  cpus?: number;
  memoryMiB?: number;
  diskGiB?: number;
  /** Host directories mounted in the VM at the same path. */
  sharedFolders?: string[];
  /** `https://mirror.example` URLs tried before Docker Hub. */
  registryMirrors?: string[];
  /** `host[:port]` or a CIDR that may be reached over plain HTTP or with an untrusted certificate. */
  insecureRegistries?: string[];
  startAtLogin?: boolean;
  /** Leave the VM running when the app quits (the next start attaches to it in a second). */
  keepEngineOnQuit?: boolean;
}

export type SettingsField = keyof SettingsChange;
export type SettingsErrors = Partial<Record<SettingsField, string>>;

export interface SettingsLimits {
  /** The host's CPUs. */
  maxCpus: number;
  /** The host's memory, less what the host itself needs. */
  maxMemoryMiB: number;
  /** The data disk is sparse and cannot shrink: its current size is the floor. */
  minDiskGiB: number;
  maxDiskGiB: number;
}

export const MIN_MEMORY_MIB = 512;

const whole = (v: number) => Number.isInteger(v);

function mirrorError(m: string): string | undefined {
  let url: URL;
  try {
    url = new URL(m);
  } catch {
    return `"${m}" is not a URL: a mirror looks like https://mirror.example.com`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${m}": a mirror must be an http:// or https:// URL`;
  if (url.username || url.password) return `"${m}": put credentials in docker login, not in the mirror URL`;
  if (url.search || url.hash) return `"${m}": a mirror URL has no query or fragment`;
  return undefined;
}

const HOST_PORT = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/i;
const IPV4 = '(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}';
const CIDR = new RegExp(`^${IPV4}/(?:3[0-2]|[12]?\\d)$`);

function insecureError(r: string): string | undefined {
  if (r.includes('://')) return `"${r}": give the registry as host[:port], without http:// or https://`;
  if (CIDR.test(r) || HOST_PORT.test(r)) {
    const port = /:(\d+)$/.exec(r)?.[1];
    if (port && (Number(port) < 1 || Number(port) > 65535)) return `"${r}": the port must be between 1 and 65535`;
    return undefined;
  }
  return `"${r}" is not a registry address: use host[:port] (registry.local:5000) or a CIDR (10.0.0.0/8)`;
}

function listError(items: string[], check: (s: string) => string | undefined): string | undefined {
  const seen = new Set<string>();
  for (const i of items) {
    if (seen.has(i)) return `"${i}" is listed twice`;
    seen.add(i);
    const e = check(i);
    if (e) return e;
  }
  return undefined;
}

/** Messages per field, in words a user can act on; empty when the change may be saved. */
export function validateSettings(c: SettingsChange, limits: SettingsLimits): SettingsErrors {
  const errors: SettingsErrors = {};
  if (c.cpus !== undefined && (!whole(c.cpus) || c.cpus < 1 || c.cpus > limits.maxCpus)) {
    errors.cpus = `CPUs must be a whole number from 1 to ${limits.maxCpus} (this computer has ${limits.maxCpus}).`;
  }
  if (c.memoryMiB !== undefined && (!whole(c.memoryMiB) || c.memoryMiB < MIN_MEMORY_MIB || c.memoryMiB > limits.maxMemoryMiB)) {
    errors.memoryMiB = `Memory must be a whole number of MiB from ${MIN_MEMORY_MIB} to ${limits.maxMemoryMiB}.`;
  }
  if (c.diskGiB !== undefined) {
    if (!whole(c.diskGiB) || c.diskGiB > limits.maxDiskGiB) errors.diskGiB = `Disk size must be a whole number of GiB up to ${limits.maxDiskGiB}.`;
    else if (c.diskGiB < limits.minDiskGiB) errors.diskGiB = `The disk cannot shrink: choose ${limits.minDiskGiB} GiB or more (reset to factory defaults to start smaller).`;
  }
  if (c.sharedFolders) {
    const e = listError(c.sharedFolders, (f) => (/^(?:\/|[A-Za-z]:\\)/.test(f) ? undefined : `"${f}": a shared folder must be an absolute path`));
    if (e) errors.sharedFolders = e;
  }
  if (c.registryMirrors) {
    const e = listError(c.registryMirrors, mirrorError);
    if (e) errors.registryMirrors = e;
  }
  if (c.insecureRegistries) {
    const e = listError(c.insecureRegistries, insecureError);
    if (e) errors.insecureRegistries = e;
  }
  return errors;
}
