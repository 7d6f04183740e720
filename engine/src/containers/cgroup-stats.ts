import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** One blkio figure as dockerd reports it (`ContainerBlkioStatEntry`). */
export interface BlkioEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

export interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface MemoryStats {
  usage?: number;
  max_usage?: number;
  stats?: Record<string, number>;
  failcnt?: number;
  limit?: number;
}

export type BlkioStats = Record<(typeof BLKIO_V1_FILES)[number][0], BlkioEntry[] | null>;

/** What one read of a container's cgroup gives; the rest of a stats sample comes from /proc. */
export interface CgroupFigures {
  cpu_stats: CpuStats;
  memory_stats: MemoryStats;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: BlkioStats;
}

/** cgroup v1 reports cpuacct.stat in USER_HZ ticks; Linux fixes USER_HZ at 100. */
const NS_PER_TICK = 1e9 / 100;

const BLKIO_V1_FILES = [
  ['io_service_bytes_recursive', 'io_service_bytes_recursive'],
  ['io_serviced_recursive', 'io_serviced_recursive'],
  ['io_queue_recursive', 'io_queued_recursive'],
  ['io_service_time_recursive', 'io_service_time_recursive'],
  ['io_wait_time_recursive', 'io_wait_time_recursive'],
  ['io_merged_recursive', 'io_merged_recursive'],
  ['io_time_recursive', 'time_recursive'],
  ['sectors_recursive', 'sectors_recursive'],
] as const;

async function text(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function num(file: string): Promise<number | undefined> {
  const t = (await text(file))?.trim();
  if (t === undefined || t === '') return undefined;
  return t === 'max' ? Infinity : Number(t);
}

/** `key value` lines (memory.stat, cpu.stat) into a map. */
export function parseKeyValues(t: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (t ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** v1 blkio files: `8:0 Read 4096` per device and op (`8:0 4096` for files without ops); `Total` lines dropped. */
export function parseBlkioV1(t: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (t ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    const [op, value] = f.length >= 3 ? [f[1] as string, f[2]] : ['', f[1]];
    out.push({ major: Number(dev[1]), minor: Number(dev[2]), op, value: Number(value) });
  }
  return out;
}

/** v2 io.stat: `8:0 rbytes=1 wbytes=2 rios=3 ...`; dockerd reports only bytes, as `read`/`write` entries. */
export function parseIoStatV2(t: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = [];
  for (const line of (t ?? '').split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = /^(\d+):(\d+)$/.exec(f[0] ?? '');
    if (!dev) continue;
    const kv = Object.fromEntries(f.slice(1).map((p) => p.split('=') as [string, string]));
    const base = { major: Number(dev[1]), minor: Number(dev[2]) };
    out.push({ ...base, op: 'read', value: Number(kv.rbytes ?? 0) }, { ...base, op: 'write', value: Number(kv.wbytes ?? 0) });
  }
  return out;
}

function emptyBlkio(): BlkioStats {
  return Object.fromEntries(BLKIO_V1_FILES.map(([k]) => [k, null])) as BlkioStats;
}

/** A limit the kernel reports as "max" or as its huge "unlimited" value is the machine's memory, as dockerd shows it. */
function clampLimit(limit: number | undefined, machineMemory: number): number | undefined {
  if (limit === undefined) return undefined;
  return !Number.isFinite(limit) || limit > machineMemory ? machineMemory : limit;
}

function finite(n: number | undefined): number | undefined {
  return n === undefined || !Number.isFinite(n) ? undefined : n;
}

async function readV1(dir: (controller: string) => string, machineMemory: number): Promise<CgroupFigures> {
  const acct = dir('cpuacct');
  const ticks = parseKeyValues(await text(path.join(acct, 'cpuacct.stat')));
  const percpu = (await text(path.join(acct, 'cpuacct.usage_percpu')))?.trim().split(/\s+/).filter(Boolean).map(Number);
  const throttle = parseKeyValues(await text(path.join(dir('cpu'), 'cpu.stat')));
  const mem = dir('memory');
  const usage = await num(path.join(mem, 'memory.usage_in_bytes'));
  const blkio = emptyBlkio();
  const blk = dir('blkio');
  for (const [key, file] of BLKIO_V1_FILES) {
    const entries = parseBlkioV1(await text(path.join(blk, `blkio.${file}`)));
    if (entries.length > 0) blkio[key] = entries;
  }
  // Without CFQ the kernel only fills the throttle files; dockerd falls back to them as well.
  if (!blkio.io_service_bytes_recursive) {
    const bytes = parseBlkioV1(await text(path.join(blk, 'blkio.throttle.io_service_bytes_recursive')));
    const ios = parseBlkioV1(await text(path.join(blk, 'blkio.throttle.io_serviced_recursive')));
    blkio.io_service_bytes_recursive = bytes.length ? bytes : null;
    blkio.io_serviced_recursive = ios.length ? ios : null;
  }
  const pids = dir('pids');
  return {
    cpu_stats: {
      cpu_usage: {
        total_usage: (await num(path.join(acct, 'cpuacct.usage'))) ?? 0,
        ...(percpu && percpu.length ? { percpu_usage: percpu } : {}),
        usage_in_kernelmode: (ticks.system ?? 0) * NS_PER_TICK,
        usage_in_usermode: (ticks.user ?? 0) * NS_PER_TICK,
      },
      throttling_data: { periods: throttle.nr_periods ?? 0, throttled_periods: throttle.nr_throttled ?? 0, throttled_time: throttle.throttled_time ?? 0 },
    },
    memory_stats: usage === undefined ? {} : {
      usage,
      max_usage: finite(await num(path.join(mem, 'memory.max_usage_in_bytes'))),
      stats: parseKeyValues(await text(path.join(mem, 'memory.stat'))),
      failcnt: finite(await num(path.join(mem, 'memory.failcnt'))),
      limit: clampLimit(await num(path.join(mem, 'memory.limit_in_bytes')), machineMemory),
    },
    pids_stats: pidsStats(await num(path.join(pids, 'pids.current')), await num(path.join(pids, 'pids.max'))),
    blkio_stats: blkio,
  };
}

function pidsStats(current: number | undefined, max: number | undefined): { current?: number; limit?: number } {
  if (current === undefined) return {};
  // "max" (no limit) is reported as 0, which the API documents as "no limit"; Go's omitempty then drops it.
  return { current, ...(max !== undefined && Number.isFinite(max) && max > 0 ? { limit: max } : {}) };
}

async function readV2(dir: string, machineMemory: number): Promise<CgroupFigures> {
  const cpu = parseKeyValues(await text(path.join(dir, 'cpu.stat')));
  const usage = await num(path.join(dir, 'memory.current'));
  const events = parseKeyValues(await text(path.join(dir, 'memory.events')));
  const io = parseIoStatV2(await text(path.join(dir, 'io.stat')));
  return {
    cpu_stats: {
      cpu_usage: {
        total_usage: (cpu.usage_usec ?? 0) * 1000,
        usage_in_kernelmode: (cpu.system_usec ?? 0) * 1000,
        usage_in_usermode: (cpu.user_usec ?? 0) * 1000,
      },
      throttling_data: { periods: cpu.nr_periods ?? 0, throttled_periods: cpu.nr_throttled ?? 0, throttled_time: (cpu.throttled_usec ?? 0) * 1000 },
    },
    memory_stats: usage === undefined ? {} : {
      usage,
      stats: parseKeyValues(await text(path.join(dir, 'memory.stat'))),
      ...(events.oom ? { failcnt: events.oom } : {}),
      limit: clampLimit(await num(path.join(dir, 'memory.max')), machineMemory),
    },
    pids_stats: pidsStats(await num(path.join(dir, 'pids.current')), await num(path.join(dir, 'pids.max'))),
    blkio_stats: { ...emptyBlkio(), io_service_bytes_recursive: io.length ? io : null },
  };
}

/**
 * Reads one container's cgroup figures, in the shapes of dockerd's stats. `cgroupsPath` is the spec's absolute
 * cgroup path; v1 keeps one directory per controller, v2 a single one.
 */
export function readCgroupFigures(
  version: 'v1' | 'v2',
  cgroupsPath: string,
  machineMemory: number,
  root = '/sys/fs/cgroup',
): Promise<CgroupFigures> {
  if (version === 'v2') return readV2(path.join(root, cgroupsPath), machineMemory);
  return readV1((controller) => path.join(root, controller, cgroupsPath), machineMemory);
}
