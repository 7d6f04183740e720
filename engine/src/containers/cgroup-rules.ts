import { InvalidArgument } from '../base/errors.js';
import type { DeviceRule } from '../runtime/index.js';

const RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** `--device-cgroup-rule 'c 7:128 rwm'` as an allow rule of the OCI device cgroup, in dockerd's format. */
export function parseDeviceCgroupRule(rule: string): DeviceRule {
  const m = RULE.exec(rule);
  if (!m) throw new InvalidArgument(`invalid device cgroup format '${rule}'`);
  const num = (s: string | undefined): number | undefined => (s === undefined || s === '*' ? undefined : Number(s));
  const major = num(m[2]);
  const minor = num(m[3]);
  return { allow: true, type: m[1] as 'a' | 'c' | 'b', ...(major !== undefined ? { major } : {}), ...(minor !== undefined ? { minor } : {}), access: m[4] as string };
}

/**
 * dockerd's checks of `CpuRealtimePeriod`/`CpuRealtimeRuntime` at create: the kernel must have real-time group
 * scheduling for the cpu controller (cgroup v1 `cpu.rt_runtime_us`), and the runtime fit in the period.
 */
export function validateCpuRealtime(period: number, runtime: number, supported: boolean): void {
  if (period <= 0 && runtime <= 0) return;
  if (!supported) throw new InvalidArgument('Your kernel does not support CPU real-time scheduler');
  if (period > 0 && runtime > period) throw new InvalidArgument('cpu-rt-runtime cannot be higher than cpu-rt-period');
}

/**
 * `--storage-opt`: the overlay snapshots here have no per-container quota (dockerd needs overlay over xfs with
 * `pquota`), so a size is refused rather than accepted and not enforced, in dockerd's words.
 */
export function validateStorageOpt(opts: Record<string, string> | undefined | null): void {
  for (const key of Object.keys(opts ?? {})) {
    if (key.toLowerCase() === 'size') throw new InvalidArgument("--storage-opt is supported only for overlay over xfs with 'pquota' mount option");
    throw new InvalidArgument(`Unknown option ${key}`);
  }
}
