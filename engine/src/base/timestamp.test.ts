import { describe, expect, it } from 'vitest';
import { formatRFC3339Nano, parseGoDuration, parseTimestamp } from './timestamp.js';

const S = 1_000_000_000n;

describe('parseTimestamp', () => {
  it('reads Unix seconds with an optional nanosecond fraction (what the CLI sends)', () => {
    expect(parseTimestamp('1700000000', 'since')).toBe(1_700_000_000n * S);
    expect(parseTimestamp('1700000000.5', 'since')).toBe(1_700_000_000n * S + 500_000_000n);
    expect(parseTimestamp('1700000000.000000001', 'since')).toBe(1_700_000_000n * S + 1n);
  });
  it('reads RFC3339 times', () => {
    expect(parseTimestamp('2023-11-14T22:13:20Z', 'since')).toBe(1_700_000_000n * S);
    expect(parseTimestamp('2023-11-14T22:13:20.25Z', 'since')).toBe(1_700_000_000n * S + 250_000_000n);
  });
  it('reads Go durations relative to now', () => {
    expect(parseTimestamp('10m', 'since', 1_000n * S)).toBe(400n * S);
  });
  it('rejects junk as a 400', () => {
    expect(() => parseTimestamp('yesterday', 'since')).toThrow(/failed to parse value as time or duration/);
  });
});

describe('parseGoDuration', () => {
  it('handles compound and fractional durations', () => {
    expect(parseGoDuration('1h30m')).toBe(5400n * S);
    expect(parseGoDuration('1.5s')).toBe(1_500_000_000n);
    expect(parseGoDuration('-2ms')).toBe(-2_000_000n);
    expect(parseGoDuration('abc')).toBeUndefined();
  });
});

describe('formatRFC3339Nano', () => {
  it("trims trailing zeros as Go's RFC3339Nano does", () => {
    expect(formatRFC3339Nano(1_700_000_000n * S + 120_000_000n)).toBe('2023-11-14T22:13:20.12Z');
    expect(formatRFC3339Nano(1_700_000_000n * S)).toBe('2023-11-14T22:13:20Z');
  });
});
