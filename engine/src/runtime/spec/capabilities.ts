import { readFile } from 'node:fs/promises';
import { InvalidArgument } from '../../base/errors.js';
import { edit } from './builder.js';
import type { SpecOpt } from './types.js';

/** Every capability the kernel knows (linux/capability.h up to CAP_CHECKPOINT_RESTORE). */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** dockerd's default set: enough for a typical root process, nothing that reaches the host kernel's state. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** `net_admin`, `NET_ADMIN` and `CAP_NET_ADMIN` all name the same capability; `ALL` stays `ALL`. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!ALL_CAPABILITIES.includes(full)) throw new InvalidArgument(`unknown capability: "${full}"`);
  return full;
}

export interface CapabilityOptions {
  add?: string[];
  drop?: string[];
  privileged?: boolean;
  /**
   * The engine's own bounding set: nothing outside it can be granted (here CAP_SYS_RESOURCE is missing).
   * `ALL` and `--privileged` are clamped to it; naming a missing one explicitly is an error.
   */
  available?: string[];
}

/** Capability names from a `CapBnd`-style hex mask (bit n = capability number n). */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** The engine's bounding set, from /proc/self/status. */
export async function readEngineCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status);
  return m?.[1] ? capabilitiesFromMask(m[1]) : [...ALL_CAPABILITIES];
}

/** dockerd's rules: `--cap-drop ALL` empties the base set, `--cap-add ALL` fills it, and adds win over drops. */
export function effectiveCapabilities(o: CapabilityOptions = {}): string[] {
  const available = o.available ?? ALL_CAPABILITIES;
  if (o.privileged) return ALL_CAPABILITIES.filter((c) => available.includes(c));
  const add = (o.add ?? []).map(normalizeCapability);
  const missing = add.find((c) => c !== 'ALL' && !available.includes(c));
  if (missing) {
    throw new InvalidArgument(`capability ${missing} cannot be granted: the engine itself does not have it in its bounding set`);
  }
  const drop = (o.drop ?? []).map(normalizeCapability);
  let base = drop.includes('ALL') ? [] : [...DEFAULT_CAPABILITIES];
  if (add.includes('ALL')) base = ALL_CAPABILITIES.filter((c) => available.includes(c));
  const kept = base.filter((c) => !drop.includes(c));
  const result = [...kept, ...add.filter((c) => c !== 'ALL' && !kept.includes(c))];
  return ALL_CAPABILITIES.filter((c) => result.includes(c));
}

/**
 * Sets the process capabilities. Apply after `withUser`: like dockerd, a non-root user only gets the bounding set,
 * so the capabilities cannot reappear in its effective set except through file capabilities.
 */
export function withCapabilities(o: CapabilityOptions = {}): SpecOpt {
  const caps = effectiveCapabilities(o);
  return edit((s) => {
    const root = s.process.user.uid === 0;
    s.process.capabilities = {
      bounding: [...caps],
      effective: root ? [...caps] : [],
      permitted: root ? [...caps] : [],
    };
  });
}
