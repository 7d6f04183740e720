import type { StatsSample } from '@berth/electron/shared/types.js';

export interface Rates {
  at: number;
  netPerSec: number;
  blockPerSec: number;
}

/** Counters (bytes since start) to per-second rates between consecutive samples; resets count as zero. */
export function rates(samples: StatsSample[]): Rates[] {
  const out: Rates[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!, b = samples[i]!;
    const dt = (b.at - a.at) / 1000;
    if (dt <= 0) continue;
    const d = (x: number, y: number) => Math.max(0, y - x);
    out.push({
      at: b.at,
      netPerSec: (d(a.netRxBytes, b.netRxBytes) + d(a.netTxBytes, b.netTxBytes)) / dt,
      blockPerSec: (d(a.blockReadBytes, b.blockReadBytes) + d(a.blockWriteBytes, b.blockWriteBytes)) / dt,
    });
  }
  return out;
}
