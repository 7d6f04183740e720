/**
 * How a step reads in the image history when BuildKit builds it (`created_by`, as BuildKit's Dockerfile frontend
 * writes it): the instruction as written, expanded, without the classic builder's `/bin/sh -c #(nop)` wrapper;
 * steps that make a filesystem state (RUN, COPY, ADD) end in ` # buildkit`. These texts are what users see in
 * `docker history`; they are not content-based, so they are never a cache key (the builder keys steps on
 * `StepCommit.cacheKey`).
 */
import type { StageState } from './state.js';
import { envKey } from './state.js';

/** Every history entry BuildKit's Dockerfile frontend writes carries this comment. */
export const BUILDKIT_HISTORY_COMMENT = 'buildkit.dockerfile.v0';

/** A step that makes a filesystem state is marked as such. */
function withState(text: string): string {
  return `${text} # buildkit`;
}

/**
 * RUN: the stage's declared ARGs in declaration order (their ENV value when an ENV of that name overrides them,
 * empty when declared without a value), counted as `|N`, then the command.
 */
export function runHistory(state: StageState, cmd: string[]): string {
  const env = new Map<string, string>();
  for (const e of state.config.Env ?? []) env.set(envKey(e), e.slice(envKey(e).length + 1));
  const args = [...state.args].map(([k, v]) => `${k}=${env.get(k) ?? v ?? ''}`);
  return withState(`RUN ${[...(args.length ? [`|${args.length}`, ...args] : []), ...cmd].join(' ')}`);
}

export interface CopyText {
  add: boolean;
  /** The source arguments as expanded (heredoc sources as `<<NAME`). */
  sources: string[];
  dest: string;
  chown?: string;
  chmod?: string;
  parents?: boolean;
}

/** COPY/ADD: the flags that shape the files (`--parents`, `--chown`, `--chmod`), the sources and the destination. */
export function copyHistory(c: CopyText): string {
  const flags = [c.parents ? '--parents' : '', c.chown ? `--chown=${c.chown}` : '', c.chmod ? `--chmod=${c.chmod}` : ''].filter(Boolean);
  return withState([c.add ? 'ADD' : 'COPY', ...flags, ...c.sources, c.dest].join(' '));
}

/** Go's `%v` of a string slice: `[a b]`. */
export function goList(words: string[]): string {
  return `[${words.join(' ')}]`;
}

/** EXPOSE: Go's `%v` of this instruction's port set, `map[53/udp:{} 8080/tcp:{}]` (keys sorted, as fmt prints maps). */
export function exposeHistory(ports: string[]): string {
  return `EXPOSE map[${[...new Set(ports)].sort().map((p) => `${p}:{}`).join(' ')}]`;
}

/** Go's `%q` of an integer: a quoted character literal (strconv.QuoteRune). */
function goRune(n: number): string {
  const named: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 39: "\\'", 92: '\\\\' };
  if (named[n]) return `'${named[n]}'`;
  if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return "'\uFFFD'";
  if (n < 0x20 || n === 0x7f) return `'\\x${n.toString(16).padStart(2, '0')}'`;
  if (n >= 0x80 && n < 0xa0) return `'\\u${n.toString(16).padStart(4, '0')}'`;
  return `'${String.fromCodePoint(n)}'`;
}

/** A Go time.Duration (nanoseconds) as its String() prints it: `0s`, `30s`, `1m30s`, `500ms`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let rest = Math.abs(ns);
  if (rest < 1e9) {
    const [unit, div] = rest < 1e3 ? ['ns', 1] : rest < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    return `${sign}${trimFraction(rest / div)}${unit}`;
  }
  const h = Math.floor(rest / 3600e9);
  rest -= h * 3600e9;
  const m = Math.floor(rest / 60e9);
  rest -= m * 60e9;
  const s = `${trimFraction(rest / 1e9)}s`;
  return `${sign}${h ? `${h}h${m}m` : m ? `${m}m` : ''}${s}`;
}

function trimFraction(x: number): string {
  return String(Number(x.toFixed(9)));
}

/**
 * HEALTHCHECK: Go's `%q` of the config struct pointer, `&{["CMD-SHELL" "curl -f x"] "30s" "0s" "0s" "0s" '\x03'}`
 * (Test, Interval, Timeout, StartPeriod, StartInterval as quoted durations, Retries as a character literal).
 */
export function healthcheckHistory(hc: Record<string, unknown>): string {
  const test = ((hc.Test as string[] | undefined) ?? []).map((w) => JSON.stringify(w)).join(' ');
  const d = (k: string): string => `"${goDuration(Number(hc[k] ?? 0))}"`;
  return `HEALTHCHECK &{[${test}] ${d('Interval')} ${d('Timeout')} ${d('StartPeriod')} ${d('StartInterval')} ${goRune(Number(hc.Retries ?? 0))}}`;
}
