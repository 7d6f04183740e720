import { constants } from 'node:os';
import { InvalidArgument } from '../../base/errors.js';

const SIGNALS = constants.signals as Record<string, number>;

/**
 * `docker kill --signal` accepts `KILL`, `SIGKILL`, `kill` and `9`; realtime signals as `RTMIN+3`. Returns the
 * number, which both runc and crun accept.
 */
export function parseSignal(input: string | number): number {
  if (typeof input === 'number') return checkRange(input, String(input));
  const s = input.trim().toUpperCase();
  if (/^\d+$/.test(s)) return checkRange(Number(s), input);
  const name = s.startsWith('SIG') ? s : `SIG${s}`;
  const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(name);
  if (rt) {
    const off = Number(rt[1] ?? 0);
    return checkRange(name.startsWith('SIGRTMIN') ? 34 + off : 64 - off, input);
  }
  const n = SIGNALS[name];
  if (n === undefined) throw new InvalidArgument(`Invalid signal: ${input}`);
  return n;
}

function checkRange(n: number, input: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InvalidArgument(`Invalid signal: ${input}`);
  return n;
}

/** Number → `SIGTERM`, for messages and StopSignal round trips. */
export function signalName(n: number): string {
  return Object.entries(SIGNALS).find(([, v]) => v === n)?.[0] ?? String(n);
}
