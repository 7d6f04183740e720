import { readFile } from 'node:fs/promises';

export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/** /proc/stat counts in USER_HZ ticks, fixed at 100 on Linux. */
const NS_PER_TICK = 1e9 / 100;

/**
 * The host's CPU time (user..softirq, as dockerd sums it) in nanoseconds and the online CPU count, both from
 * /proc/stat: the denominator of the CLI's CPU %.
 */
export function parseProcStat(text: string): { systemCpuUsage: number; onlineCpus: number } {
  let systemCpuUsage = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'cpu') {
      systemCpuUsage = f.slice(1, 8).reduce((a, v) => a + Number(v), 0) * NS_PER_TICK;
    } else if (/^cpu\d+$/.test(f[0] ?? '')) {
      onlineCpus++;
    }
  }
  return { systemCpuUsage, onlineCpus };
}

export async function readSystemCpu(file = '/proc/stat'): Promise<{ systemCpuUsage: number; onlineCpus: number }> {
  return parseProcStat(await readFile(file, 'utf8'));
}

/** /proc/<pid>/net/dev of a process in the container's network namespace; the loopback is left out as dockerd does. */
export function parseNetDev(text: string): Record<string, NetworkStats> {
  const out: Record<string, NetworkStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (name === 'lo') continue;
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    out[name] = {
      rx_bytes: v[0] ?? 0,
      rx_packets: v[1] ?? 0,
      rx_errors: v[2] ?? 0,
      rx_dropped: v[3] ?? 0,
      tx_bytes: v[8] ?? 0,
      tx_packets: v[9] ?? 0,
      tx_errors: v[10] ?? 0,
      tx_dropped: v[11] ?? 0,
    };
  }
  return out;
}

export async function readNetDev(pid: number): Promise<Record<string, NetworkStats> | undefined> {
  try {
    return parseNetDev(await readFile(`/proc/${pid}/net/dev`, 'utf8'));
  } catch {
    return undefined;
  }
}
