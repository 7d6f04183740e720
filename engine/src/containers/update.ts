import { existsSync, readFileSync } from 'node:fs';
import { Conflict, InvalidArgument, SystemError, errorMessage } from '../base/errors.js';
import { validateResources, type LinuxResources } from '../runtime/index.js';
import { publish, type ContainerContext } from './context.js';
import { validateRestartPolicy } from './host-config.js';
import type { HostConfig, RestartPolicy } from './types.js';

/** `POST /containers/{id}/update`'s body (`ContainerUpdateRequest`): resources plus the restart policy. */
export interface UpdateBody {
  BlkioWeight?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  Memory?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  PidsLimit?: number | null;
  RestartPolicy?: Partial<RestartPolicy>;
}

function cannotUpdate(id: string, message: string): InvalidArgument {
  return new InvalidArgument(`Cannot update container ${id}: ${message}`);
}

/** Expands a cpuset list (`0-2,4`) and checks it against the CPUs this host has, with dockerd's messages. */
export function checkCpuset(value: string, cpuCount: number): void {
  const cpus: number[] = [];
  for (const part of value.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new InvalidArgument(`Invalid value ${value} for cpuset cpus`);
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) throw new InvalidArgument(`Invalid value ${value} for cpuset cpus`);
    for (let c = lo; c <= hi; c++) cpus.push(c);
  }
  if (cpus.some((c) => c >= cpuCount)) {
    throw new InvalidArgument(`Requested CPUs are not available - requested ${value}, available: ${cpuCount > 1 ? `0-${cpuCount - 1}` : '0'}`);
  }
}

/** Whether the kernel lets a cgroup weigh block I/O (no CFQ/BFQ, no weight files: dockerd discards the setting). */
function blkioWeightSupported(cgroup: 'v1' | 'v2'): boolean {
  if (cgroup === 'v1') return existsSync('/sys/fs/cgroup/blkio/blkio.weight') || existsSync('/sys/fs/cgroup/blkio/blkio.bfq.weight');
  try {
    return readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').split(/\s+/).includes('io');
  } catch {
    return false;
  }
}

/** dockerd's verifyContainerSettings for an update: request-only checks, warnings for what the host cannot do. */
function validateRequest(ctx: ContainerContext, b: UpdateBody): string[] {
  const warnings = validateResources(
    {
      ...(b.Memory ? { memory: b.Memory } : {}),
      // On update a swap limit alone is fine: the container's memory limit applies.
      ...(b.Memory && b.MemorySwap ? { memorySwap: b.MemorySwap } : {}),
      ...(b.MemoryReservation ? { memoryReservation: b.MemoryReservation } : {}),
      ...(b.NanoCpus ? { nanoCpus: b.NanoCpus } : {}),
      ...(b.CpuShares ? { cpuShares: b.CpuShares } : {}),
      ...(b.CpuPeriod ? { cpuPeriod: b.CpuPeriod } : {}),
      ...(b.CpuQuota ? { cpuQuota: b.CpuQuota } : {}),
    },
    { cgroup: ctx.host.cgroup, cpuCount: ctx.host.cpuCount },
  );
  if (b.CpusetCpus) checkCpuset(b.CpusetCpus, ctx.host.cpuCount);
  if (b.BlkioWeight) {
    if (!blkioWeightSupported(ctx.host.cgroup)) {
      warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
      b.BlkioWeight = 0;
    } else if (b.BlkioWeight < 10 || b.BlkioWeight > 1000) {
      throw new InvalidArgument('Range of blkio weight is from 10 to 1000');
    }
  }
  if (b.RestartPolicy?.Name) validateRestartPolicy({ Name: b.RestartPolicy.Name, MaximumRetryCount: b.RestartPolicy.MaximumRetryCount ?? 0 }, false);
  return warnings;
}

/** The swap limit in force: dockerd's default for a memory limit without one is twice the memory. */
function effectiveSwap(h: HostConfig): number {
  return h.MemorySwap !== 0 ? h.MemorySwap : h.Memory > 0 ? h.Memory * 2 : 0;
}

/** dockerd's container.UpdateContainer: merges the request into HostConfig, refusing conflicting combinations. */
function merge(id: string, h: HostConfig, b: UpdateBody): HostConfig {
  const n: HostConfig = { ...h };
  if (b.NanoCpus && h.CpuPeriod) throw cannotUpdate(id, 'Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (b.NanoCpus && h.CpuQuota) throw cannotUpdate(id, 'Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if (b.CpuPeriod && h.NanoCpus) throw cannotUpdate(id, 'Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if (b.CpuQuota && h.NanoCpus) throw cannotUpdate(id, 'Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  if (b.BlkioWeight) n.BlkioWeight = b.BlkioWeight;
  if (b.CpuShares) n.CpuShares = b.CpuShares;
  if (b.NanoCpus) n.NanoCpus = b.NanoCpus;
  if (b.CpuPeriod) n.CpuPeriod = b.CpuPeriod;
  if (b.CpuQuota) n.CpuQuota = b.CpuQuota;
  if (b.CpuRealtimePeriod) n.CpuRealtimePeriod = b.CpuRealtimePeriod;
  if (b.CpuRealtimeRuntime) n.CpuRealtimeRuntime = b.CpuRealtimeRuntime;
  if (b.CpusetCpus) n.CpusetCpus = b.CpusetCpus;
  if (b.CpusetMems) n.CpusetMems = b.CpusetMems;
  if (b.Memory) {
    const swap = effectiveSwap(h);
    if (swap > 0 && b.Memory > swap && !b.MemorySwap) {
      throw cannotUpdate(id, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    // Keep the swap limit the container has now, not one re-derived from the new memory limit at the next start.
    if (!b.MemorySwap && h.MemorySwap === 0 && swap > 0) n.MemorySwap = swap;
    n.Memory = b.Memory;
  }
  if (b.MemorySwap) n.MemorySwap = b.MemorySwap;
  if (b.MemoryReservation) n.MemoryReservation = b.MemoryReservation;
  if (n.Memory > 0 && n.MemorySwap > 0 && n.MemorySwap < n.Memory) {
    throw new InvalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (n.Memory > 0 && n.MemoryReservation > 0 && n.Memory < n.MemoryReservation) {
    throw new InvalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (b.PidsLimit !== undefined && b.PidsLimit !== null) n.PidsLimit = b.PidsLimit > 0 ? b.PidsLimit : 0;
  if (b.RestartPolicy?.Name) {
    if (h.AutoRemove && b.RestartPolicy.Name !== 'no') {
      throw cannotUpdate(id, 'Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    n.RestartPolicy = validateRestartPolicy({ Name: b.RestartPolicy.Name, MaximumRetryCount: b.RestartPolicy.MaximumRetryCount ?? 0 }, false);
  }
  return n;
}

/** What changes in the running container's cgroup: only the fields the request set, as dockerd sends them. */
export function updateResources(b: UpdateBody): LinuxResources & { blockIO?: { weight: number } } {
  const r: LinuxResources & { blockIO?: { weight: number } } = {};
  const memory: NonNullable<LinuxResources['memory']> = {};
  if (b.Memory) memory.limit = b.Memory;
  if (b.MemoryReservation) memory.reservation = b.MemoryReservation;
  if (b.MemorySwap) memory.swap = b.MemorySwap;
  if (Object.keys(memory).length) r.memory = memory;
  const cpu: NonNullable<LinuxResources['cpu']> = {};
  if (b.CpuShares) cpu.shares = Math.max(2, b.CpuShares);
  if (b.NanoCpus) {
    cpu.period = 100_000;
    cpu.quota = Math.round((b.NanoCpus * 100_000) / 1e9);
  } else {
    if (b.CpuPeriod) cpu.period = b.CpuPeriod;
    if (b.CpuQuota) cpu.quota = b.CpuQuota;
  }
  if (b.CpusetCpus) cpu.cpus = b.CpusetCpus;
  if (b.CpusetMems) cpu.mems = b.CpusetMems;
  if (Object.keys(cpu).length) r.cpu = cpu;
  if (b.PidsLimit !== undefined && b.PidsLimit !== null) r.pids = { limit: b.PidsLimit > 0 ? b.PidsLimit : -1 };
  if (b.BlkioWeight) r.blockIO = { weight: b.BlkioWeight };
  return r;
}

/**
 * `docker update`: validates as dockerd does, persists the new HostConfig always, and applies the resources to the
 * running (or paused) container through the OCI runtime; a runtime failure puts the old HostConfig back.
 */
export async function updateContainer(ctx: ContainerContext, idOrName: string, body: UpdateBody): Promise<{ Warnings: string[] | null }> {
  const b = { ...body };
  const warnings = validateRequest(ctx, b);
  const record = ctx.store.get(idOrName);
  if (record.State.Status === 'removing' || record.State.Dead) {
    throw new Conflict(`Cannot update container ${record.Id}: container is marked for removal and cannot be "update"`);
  }
  const before = record.HostConfig;
  record.HostConfig = merge(record.Id, before, b);
  await ctx.store.save(record);
  const runtime = ctx.runtimes.get(record.HostConfig.Runtime);
  if (record.State.Running && !record.State.Restarting && runtime) {
    const resources = updateResources(b);
    if (Object.keys(resources).length > 0) {
      try {
        await runtime.update(record.Id, resources);
      } catch (err) {
        record.HostConfig = before;
        await ctx.store.save(record).catch(() => undefined);
        throw new SystemError(`Cannot update container ${record.Id}: ${errorMessage(err)}`, { cause: err });
      }
    }
  }
  publish(ctx, record, 'update');
  return { Warnings: warnings.length > 0 ? warnings : null };
}
