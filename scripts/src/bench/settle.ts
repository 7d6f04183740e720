/**
 * Bringing the machine to the same state before each timed iteration of a disk-bound scenario: every engine's
 * processes (and their children, e.g. a background delete) quiet, then the dirty pages written back (`sync`).
 * Without it a 200 MB scenario's figure depends on whose writeback or background work the iteration happened to
 * run beside (the same engine's previous iteration, or the other engine's).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { BenchTarget } from './scenario.js';

const run = promisify(execFile);

/** CPU ticks (utime + stime) a process tree may use in one QUIET_WINDOW_MS and still count as quiet. */
const QUIET_TICKS = 3;
const QUIET_WINDOW_MS = 500;
/** Past this the iteration runs anyway, and `settle` says so. */
const QUIET_TIMEOUT_MS = 60_000;

interface ProcStat {
  ppid: number;
  ticks: number;
}

/** ppid and utime + stime of every process, from /proc/PID/stat (fields after the parenthesised name). */
async function procStats(): Promise<Map<number, ProcStat>> {
  const out = new Map<number, ProcStat>();
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    if (rest.length < 13) continue;
    out.set(Number(name), { ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
  }
  return out;
}

/** Total CPU ticks of `roots` and all their descendants (gone ones count nothing). */
function treeTicks(stats: Map<number, ProcStat>, roots: number[]): number {
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  let ticks = 0;
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    ticks += stats.get(pid)?.ticks ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks;
}

/**
 * Waits until the process trees of `targets` (those that know their processes) use at most QUIET_TICKS over
 * QUIET_WINDOW_MS, then runs `sync`. Resolves to a note when it gave up waiting for quiet, else undefined.
 */
export async function settle(targets: BenchTarget[]): Promise<string | undefined> {
  const roots = (await Promise.all(targets.map((t) => t.processes?.() ?? Promise.resolve([])))).flat();
  const deadline = Date.now() + QUIET_TIMEOUT_MS;
  let note: string | undefined;
  if (roots.length) {
    let before = treeTicks(await procStats(), roots);
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
      const now = treeTicks(await procStats(), roots);
      if (now - before <= QUIET_TICKS) break;
      if (Date.now() > deadline) {
        note = `engines not quiet after ${QUIET_TIMEOUT_MS / 1000} s before an iteration`;
        break;
      }
      before = now;
    }
  }
  await run('sync');
  return note;
}
