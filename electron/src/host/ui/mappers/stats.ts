// One dockerd stats JSON object (GET /containers/{id}/stats) to a chart sample. CPU% is computed the way the
// docker CLI computes it: the container's share of the system's CPU time since the previous sample, times CPUs.
import type { StatsSample } from '../../../shared/types.js';

interface RawCpu {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface RawStats {
  read?: string;
  cpu_stats?: RawCpu;
  precpu_stats?: RawCpu;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }> | null;
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
  pids_stats?: { current?: number };
}

export function cpuPercent(s: RawStats): number {
  const cpu = s.cpu_stats ?? {};
  const pre = s.precpu_stats ?? {};
  const cpuDelta = (cpu.cpu_usage?.total_usage ?? 0) - (pre.cpu_usage?.total_usage ?? 0);
  const sysDelta = (cpu.system_cpu_usage ?? 0) - (pre.system_cpu_usage ?? 0);
  const cpus = cpu.online_cpus || cpu.cpu_usage?.percpu_usage?.length || 1;
  if (cpuDelta <= 0 || sysDelta <= 0) return 0;
  return (cpuDelta / sysDelta) * cpus * 100;
}

// The CLI subtracts the page cache: inactive_file on cgroup v2, total_inactive_file on v1.
export function memoryUsed(s: RawStats): number {
  const m = s.memory_stats ?? {};
  const cache = m.stats?.inactive_file ?? m.stats?.total_inactive_file ?? 0;
  const usage = m.usage ?? 0;
  return cache < usage ? usage - cache : usage;
}

export function statsSample(s: RawStats): StatsSample {
  let rx = 0, tx = 0, rd = 0, wr = 0;
  for (const n of Object.values(s.networks ?? {})) { rx += n.rx_bytes ?? 0; tx += n.tx_bytes ?? 0; }
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = e.op.toLowerCase();
    if (op === 'read') rd += e.value;
    else if (op === 'write') wr += e.value;
  }
  const at = s.read ? Date.parse(s.read) : NaN;
  return {
    at: Number.isFinite(at) && at > 0 ? at : Date.now(),
    cpuPercent: cpuPercent(s),
    memoryBytes: memoryUsed(s),
    memoryLimitBytes: s.memory_stats?.limit ?? 0,
    netRxBytes: rx,
    netTxBytes: tx,
    blockReadBytes: rd,
    blockWriteBytes: wr,
    pids: s.pids_stats?.current ?? 0,
  };
}
