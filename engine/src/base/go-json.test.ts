import { describe, expect, it } from 'vitest';
import { goFieldNames } from './go-json.js';

describe('goFieldNames', () => {
  it('maps case variants of known fields, keeps exact keys first and unknown keys as they are', () => {
    expect(goFieldNames({ CPURealtimePeriod: 1, cpushares: 2, Other: 3 }, ['CpuRealtimePeriod', 'CpuShares'])).toEqual({ CpuRealtimePeriod: 1, CpuShares: 2, Other: 3 });
    expect(goFieldNames({ cpushares: 1, CpuShares: 2 }, ['CpuShares'])).toEqual({ CpuShares: 2 });
  });
});
