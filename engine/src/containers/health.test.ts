import { describe, expect, it } from 'vitest';
import { goDuration } from './health.js';
import { replaceOrAppendEnv } from './exec-process.js';

describe('health and exec helpers', () => {
  it("formats durations as Go's Duration.String does", () => {
    expect(goDuration(30e9)).toBe('30s');
    expect(goDuration(1.5e9)).toBe('1.5s');
    expect(goDuration(500e6)).toBe('500ms');
    expect(goDuration(90e9)).toBe('1m30s');
    expect(goDuration(3600e9)).toBe('1h0m0s');
  });

  it('replaces or appends env values, a bare key removing one', () => {
    expect(replaceOrAppendEnv(['PATH=/bin', 'A=1', 'B=2'], ['A=x', 'C=3', 'B'])).toEqual(['PATH=/bin', 'A=x', 'C=3']);
  });
});
