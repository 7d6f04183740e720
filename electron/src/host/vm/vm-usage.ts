// The VM's use of the host as the host sees it: the QEMU process's CPU time and resident memory. Read on demand
// (the dashboard samples only while someone looks at it), never by a timer of its own.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { VmStatus } from './backend.js';

const run = promisify(execFile);

/** One reading; CPU time is cumulative, so a rate needs two readings (see cpuPercentBetween). */
export interface VmUsageSample {
  pid: number;
  /** Milliseconds since the epoch when read. */
  at: number;
  /** User + system CPU seconds the VM process has used; absent where the host cannot tell. */
  cpuSeconds?: number;
  rssBytes?: number;
  cpus: number;
  memoryMiB: number;
  accel: string;
}

/** /proc/<pid>/stat: utime and stime are fields 14 and 15, in USER_HZ ticks (100 on every Linux ABI). */
export function parseProcStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** /proc/<pid>/status: `VmRSS:   123456 kB`. */
export function parseProcStatusRss(status: string): number | undefined {
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kb === undefined ? undefined : Number(kb) * 1024;
}

/** `ps -o time=,rss=` on macOS: `[[dd-]hh:]mm:ss.cc` and KiB. */
export function parsePs(line: string): { cpuSeconds: number; rssBytes: number } | undefined {
  const m = /^\s*(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+(?:\.\d+)?)\s+(\d+)\s*$/.exec(line);
  if (!m) return undefined;
  const [, d = '0', h = '0', min = '0', sec = '0', rss = '0'] = m;
  return { cpuSeconds: ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60 + Number(sec), rssBytes: Number(rss) * 1024 };
}

async function readProcess(pid: number, platform: NodeJS.Platform): Promise<{ cpuSeconds?: number; rssBytes?: number }> {
  if (platform === 'linux') {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    const rssBytes = parseProcStatusRss(status);
    return { cpuSeconds: parseProcStat(stat), ...(rssBytes !== undefined ? { rssBytes } : {}) };
  }
  if (platform === 'darwin') {
    const { stdout } = await run('ps', ['-o', 'time=,rss=', '-p', String(pid)]);
    return parsePs(stdout.trim()) ?? {};
  }
  return {}; // Windows: the configured size is all we show for now.
}

/** A reading of the running VM, or null when none runs (or its process just went away). */
export async function sampleVmUsage(status: VmStatus, platform: NodeJS.Platform = process.platform): Promise<VmUsageSample | null> {
  if (status.state !== 'running' || !status.pid || !status.settings) return null;
  try {
    const proc = await readProcess(status.pid, platform);
    return { pid: status.pid, at: Date.now(), ...proc, cpus: status.settings.cpus, memoryMiB: status.settings.memoryMiB, accel: status.accel ?? 'unknown' };
  } catch {
    return null;
  }
}

/** CPU use between two readings of the same process, in percent of one host core (200 = two cores busy). */
export function cpuPercentBetween(prev: VmUsageSample | null | undefined, next: VmUsageSample): number | undefined {
  if (!prev || prev.pid !== next.pid || prev.cpuSeconds === undefined || next.cpuSeconds === undefined) return undefined;
  const wall = (next.at - prev.at) / 1000;
  if (wall <= 0) return undefined;
  return Math.max(0, Math.round(((next.cpuSeconds - prev.cpuSeconds) / wall) * 1000) / 10);
}
