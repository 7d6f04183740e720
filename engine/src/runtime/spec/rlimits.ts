import { readFile } from 'node:fs/promises';
import { InvalidArgument } from '../../base/errors.js';
import { edit } from './builder.js';
import type { Rlimit, SpecOpt } from './types.js';

/** `--ulimit name=soft[:hard]`, already split. */
export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

const NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack', 'as'];

/** /proc/self/limits row titles → ulimit names. */
const PROC_TITLES: Record<string, string> = {
  'Max cpu time': 'cpu', 'Max file size': 'fsize', 'Max data size': 'data', 'Max stack size': 'stack',
  'Max core file size': 'core', 'Max resident set': 'rss', 'Max processes': 'nproc', 'Max open files': 'nofile',
  'Max locked memory': 'memlock', 'Max address space': 'as', 'Max file locks': 'locks',
  'Max pending signals': 'sigpending', 'Max msgqueue size': 'msgqueue', 'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio', 'Max realtime timeout': 'rttime',
};

/** The engine's own hard limits (`unlimited` → Infinity), parsed from /proc/self/limits text. */
export function parseProcLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n').slice(1)) {
    const title = Object.keys(PROC_TITLES).find((t) => line.startsWith(t));
    if (!title) continue;
    const fields = line.slice(title.length).trim().split(/\s+/);
    const hard = fields[1];
    if (hard !== undefined) out[PROC_TITLES[title] as string] = hard === 'unlimited' ? Infinity : Number(hard);
  }
  return out;
}

export async function readEngineHardLimits(): Promise<Record<string, number>> {
  return parseProcLimits(await readFile('/proc/self/limits', 'utf8'));
}

/**
 * `--ulimit`. The runtime runs with the engine's limits and without CAP_SYS_RESOURCE it can only lower a hard
 * limit, so asking for more than the engine has is refused up front with a message that says why (dockerd
 * would fail later inside runc with "operation not permitted").
 */
export function withRlimits(ulimits: Ulimit[], engineHard: Record<string, number>): SpecOpt {
  const rlimits: Rlimit[] = ulimits.map((u) => {
    if (!NAMES.includes(u.name)) throw new InvalidArgument(`invalid ulimit type: ${u.name}`);
    if (u.soft > u.hard) {
      throw new InvalidArgument(`invalid ulimit argument: ${u.name}=${u.soft}:${u.hard}: soft limit ${u.soft} is greater than hard limit ${u.hard}`);
    }
    const max = engineHard[u.name] ?? Infinity;
    const hard = u.hard < 0 ? Infinity : u.hard;
    if (hard > max) {
      throw new InvalidArgument(
        `ulimit ${u.name}: hard limit ${u.hard} is above the engine's own hard limit ${max}; ` +
          'berthd cannot raise it (it runs without CAP_SYS_RESOURCE)',
      );
    }
    return { type: `RLIMIT_${u.name.toUpperCase()}`, soft: u.soft, hard: u.hard };
  });
  return edit((s) => {
    const others = (s.process.rlimits ?? []).filter((r) => !rlimits.some((x) => x.type === r.type));
    s.process.rlimits = [...others, ...rlimits];
  });
}
