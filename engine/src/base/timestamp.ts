import { InvalidArgument } from './errors.js';

const NS_PER_UNIT: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Parses a Go duration (`90s`, `1h30m`, `-1.5h`) into nanoseconds, or undefined when it is not one. */
export function parseGoDuration(value: string): bigint | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(value);
  if (!m || value === '0') return value === '0' ? 0n : undefined;
  let total = 0n;
  for (const part of value.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    const [whole = '0', frac = ''] = (part[1] ?? '0').split('.');
    const unit = NS_PER_UNIT[part[2] ?? 's'] ?? 1n;
    const fracNs = frac === '' ? 0n : (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    total += BigInt(whole === '' ? '0' : whole) * unit + fracNs;
  }
  return m[1] === '-' ? -total : total;
}

/** `1700000000` or `1700000000.123456789` (what the docker CLI sends) into nanoseconds. */
function parseUnixSeconds(value: string): bigint | undefined {
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return BigInt(m[1] ?? '0') * 1_000_000_000n + BigInt(frac === '' ? '0' : frac);
}

/** RFC3339 (with optional fraction down to nanoseconds) or a bare date, into nanoseconds. */
function parseDateTime(value: string): bigint | undefined {
  if (!/^\d{4}-\d{2}-\d{2}/.test(value)) return undefined;
  const fracMatch = /T[\d:]+\.(\d+)/.exec(value);
  const ms = Date.parse(value.replace(/(T[\d:]+)\.\d+/, '$1'));
  if (Number.isNaN(ms)) return undefined;
  const frac = (fracMatch?.[1] ?? '').slice(0, 9).padEnd(9, '0');
  return BigInt(ms) * 1_000_000n + BigInt(frac === '' ? '0' : frac);
}

/**
 * A `since`/`until` value as dockerd accepts it: Unix seconds with an optional fraction, an RFC3339 time, or a
 * Go duration counted back from `now`. Returns nanoseconds since the epoch.
 */
export function parseTimestamp(value: string, name: string, nowNs: bigint = nowNanos()): bigint {
  const v = value.trim();
  const unix = parseUnixSeconds(v);
  if (unix !== undefined) return unix;
  const dur = parseGoDuration(v);
  if (dur !== undefined) return nowNs - dur;
  const date = parseDateTime(v);
  if (date !== undefined) return date;
  throw new InvalidArgument(`invalid value for ${name}: failed to parse value as time or duration: "${value}"`);
}

// Wall-clock epoch of the monotonic clock's zero, taken once: event times must never run backwards.
const CLOCK_BASE = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

/** Wall-clock time in nanoseconds, monotonic within this process. */
export function nowNanos(): bigint {
  return CLOCK_BASE + process.hrtime.bigint();
}

/** RFC3339 with nanoseconds, as Go's time.RFC3339Nano formats it (trailing zeros of the fraction trimmed). */
export function formatRFC3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const base = new Date(ms).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${base}${frac ? `.${frac}` : ''}Z`;
}
