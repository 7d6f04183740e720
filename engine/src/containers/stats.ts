import os from 'node:os';
import { formatRFC3339Nano, nowNanos } from '../base/timestamp.js';
import { readCgroupFigures, type CgroupFigures, type CpuStats } from './cgroup-stats.js';
import type { ContainerContext } from './context.js';
import { readNetDev, readSystemCpu, type NetworkStats } from './proc-stats.js';
import type { ContainerRecord } from './types.js';

/** `GET /containers/{id}/stats` in dockerd's shape (`ContainerStatsResponse`). */
export interface StatsSample extends CgroupFigures {
  name: string;
  id: string;
  read: string;
  preread: string;
  num_procs: number;
  storage_stats: Record<string, never>;
  precpu_stats: CpuStats;
  networks?: Record<string, NetworkStats>;
}

export interface StatsOptions {
  stream: boolean;
  oneShot: boolean;
  /** Sampling period; dockerd's collector ticks once a second. */
  intervalMs?: number;
}

/** Go's zero time, which dockerd sends for samples it has not taken. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

function zeroCpu(): CpuStats {
  return {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  };
}

/** The sample of a container that is not running: name and ID over Go's zero values. */
export function emptySample(record: ContainerRecord): StatsSample {
  const blkio = {
    io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
    io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
  };
  return {
    name: record.Name, id: record.Id, read: ZERO_TIME, preread: ZERO_TIME, pids_stats: {}, blkio_stats: blkio, num_procs: 0,
    storage_stats: {}, cpu_stats: zeroCpu(), precpu_stats: zeroCpu(), memory_stats: {},
  };
}

/** The cgroup a container runs in, as start builds it for the spec. */
export function containerCgroupsPath(ctx: ContainerContext, record: ContainerRecord): string {
  return `${record.HostConfig.CgroupParent || ctx.host.cgroupParent}/${record.Id}`;
}

/** Network modes where the container has no interfaces of its own to report. */
function ownsNetwork(record: ContainerRecord): boolean {
  const mode = record.HostConfig.NetworkMode;
  return mode !== 'host' && mode !== 'none' && !mode.startsWith('container:');
}

/** Takes one sample of a running container: its cgroup, the host's CPU time, and its namespace's interfaces. */
export async function takeSample(ctx: ContainerContext, record: ContainerRecord): Promise<StatsSample> {
  if (!record.State.Running || record.State.Restarting) return emptySample(record);
  const [figures, system, networks] = await Promise.all([
    readCgroupFigures(ctx.host.cgroup, containerCgroupsPath(ctx, record), os.totalmem()),
    readSystemCpu(),
    ownsNetwork(record) ? readNetDev(record.State.Pid) : Promise.resolve(undefined),
  ]);
  figures.cpu_stats.system_cpu_usage = system.systemCpuUsage;
  figures.cpu_stats.online_cpus = system.onlineCpus;
  return {
    name: record.Name,
    id: record.Id,
    read: formatRFC3339Nano(nowNanos()),
    preread: ZERO_TIME,
    pids_stats: figures.pids_stats,
    blkio_stats: figures.blkio_stats,
    num_procs: 0,
    storage_stats: {},
    cpu_stats: figures.cpu_stats,
    precpu_stats: zeroCpu(),
    memory_stats: figures.memory_stats,
    ...(networks && Object.keys(networks).length > 0 ? { networks } : {}),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * dockerd's stats semantics: `stream` sends a sample every interval (each carrying the previous one's CPU figures
 * as `precpu_stats`); `stream=false` sends one sample after two were taken so CPU % is meaningful; `one-shot` with
 * `stream=false` sends the first sample at once. A container that is not running gets zero samples.
 */
export async function containerStats(
  ctx: ContainerContext,
  idOrName: string,
  opts: StatsOptions,
  emit: (sample: StatsSample) => Promise<void> | void,
  signal: AbortSignal,
): Promise<void> {
  const record = ctx.store.get(idOrName);
  if (!opts.stream && (!record.State.Running || record.State.Restarting)) return emit(emptySample(record));
  if (!opts.stream && opts.oneShot) return emit(await takeSample(ctx, record));
  const interval = opts.intervalMs ?? 1000;
  let previous: StatsSample | undefined;
  while (!signal.aborted) {
    const current = ctx.store.find(record.Id) ?? record;
    const sample = await takeSample(ctx, current);
    if (previous && previous.read !== ZERO_TIME && sample.read !== ZERO_TIME) {
      sample.precpu_stats = previous.cpu_stats;
      sample.preread = previous.read;
    }
    const primed = previous !== undefined;
    previous = sample;
    if (opts.stream || primed) {
      await emit(sample);
      if (!opts.stream) return;
    }
    await sleep(interval, signal);
  }
}
