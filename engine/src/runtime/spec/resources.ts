import { InvalidArgument } from '../../base/errors.js';
import { edit } from './builder.js';
import type { LinuxResources, SpecOpt } from './types.js';

export type CgroupVersion = 'v1' | 'v2';

/** Resource semantics follow the controllers: a hybrid host (v1 controllers, empty-ish v2 tree) behaves as v1. */
export function cgroupVersionOf(layout: 'v1' | 'v2' | 'hybrid'): CgroupVersion {
  return layout === 'v2' ? 'v2' : 'v1';
}

/** HostConfig's resource fields, in dockerd's units (bytes, NanoCPUs, shares). 0 means "not set". */
export interface ResourceOptions {
  memory?: number;
  /** memory + swap; -1 is unlimited swap. */
  memorySwap?: number;
  memoryReservation?: number;
  memorySwappiness?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  /** 0 and negative values mean unlimited (dockerd). */
  pidsLimit?: number;
  oomKillDisable?: boolean;
}

export interface ResourceContext {
  cgroup: CgroupVersion;
  /** CPUs available to the engine, for dockerd's `--cpus` range check. */
  cpuCount: number;
}

/** dockerd's smallest memory limit: 6 MiB. */
export const MIN_MEMORY = 6 * 1024 * 1024;
const CPU_PERIOD = 100_000;

/** dockerd's validation, with its messages. Returns warnings it would print (and drops the setting). */
export function validateResources(r: ResourceOptions, ctx: ResourceContext): string[] {
  const warnings: string[] = [];
  if (r.memory && r.memory < MIN_MEMORY) throw new InvalidArgument('Minimum memory limit allowed is 6MB');
  if (r.memorySwap && r.memorySwap > 0) {
    if (!r.memory) throw new InvalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
    if (r.memorySwap < r.memory) {
      throw new InvalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
    }
  }
  if (r.memoryReservation && r.memoryReservation < MIN_MEMORY) {
    throw new InvalidArgument('Minimum memory reservation allowed is 6MB');
  }
  if (r.memory && r.memoryReservation && r.memory < r.memoryReservation) {
    throw new InvalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (r.memorySwappiness !== undefined && r.memorySwappiness !== -1 && (r.memorySwappiness < 0 || r.memorySwappiness > 100)) {
    throw new InvalidArgument(`Invalid value: ${r.memorySwappiness}, valid memory swappiness range is 0-100`);
  }
  if (r.nanoCpus) {
    if (r.cpuPeriod || r.cpuQuota) {
      throw new InvalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    }
    if (r.nanoCpus < 0.01e9 || r.nanoCpus > ctx.cpuCount * 1e9) {
      throw new InvalidArgument(
        `Range of CPUs is from 0.01 to ${ctx.cpuCount.toFixed(2)}, as there are only ${ctx.cpuCount} CPUs available`,
      );
    }
  }
  if (r.cpuShares !== undefined && r.cpuShares !== 0 && r.cpuShares < 2) warnings.push('CPU shares below 2 are raised to 2.');
  if (ctx.cgroup === 'v2' && r.oomKillDisable) {
    warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
  }
  if (ctx.cgroup === 'v2' && r.memorySwappiness !== undefined && r.memorySwappiness !== -1) {
    warnings.push('Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.');
  }
  if (r.oomKillDisable && !r.memory) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }
  return warnings;
}

/**
 * Maps HostConfig resources to the OCI `linux.resources` section. The OCI fields are cgroup-v1 shaped; runc and
 * crun translate them for v2 (shares → weight, swap total → swap.max = swap - memory). What v2 cannot do
 * (oom-kill-disable, swappiness) is dropped here, as dockerd drops it.
 */
export function resourcesToOci(r: ResourceOptions, ctx: ResourceContext): LinuxResources {
  validateResources(r, ctx);
  const out: LinuxResources = {};
  const memory: NonNullable<LinuxResources['memory']> = {};
  if (r.memory) {
    memory.limit = r.memory;
    // dockerd: with a memory limit and no swap setting, swap may use as much again (total = 2 × memory).
    if (r.memorySwap === undefined || r.memorySwap === 0) memory.swap = r.memory * 2;
    else memory.swap = r.memorySwap;
  }
  if (r.memoryReservation) memory.reservation = r.memoryReservation;
  if (ctx.cgroup === 'v1') {
    if (r.oomKillDisable) memory.disableOOMKiller = true;
    if (r.memorySwappiness !== undefined && r.memorySwappiness >= 0) memory.swappiness = r.memorySwappiness;
  }
  if (Object.keys(memory).length) out.memory = memory;
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (r.cpuShares) cpu.shares = Math.max(2, r.cpuShares);
  if (r.nanoCpus) {
    cpu.period = CPU_PERIOD;
    cpu.quota = Math.round((r.nanoCpus * CPU_PERIOD) / 1e9);
  } else {
    if (r.cpuPeriod) cpu.period = r.cpuPeriod;
    if (r.cpuQuota) cpu.quota = r.cpuQuota;
  }
  if (r.cpusetCpus) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length) out.cpu = cpu;
  if (r.pidsLimit !== undefined && r.pidsLimit !== 0) out.pids = { limit: r.pidsLimit > 0 ? r.pidsLimit : -1 };
  return out;
}

/** Merges the mapped resources into the spec, keeping the device rules `withDevices` put there. */
export function withResources(r: ResourceOptions, ctx: ResourceContext): SpecOpt {
  const mapped = resourcesToOci(r, ctx);
  return edit((s) => {
    s.linux.resources = { ...(s.linux.resources ?? {}), ...mapped };
  });
}
