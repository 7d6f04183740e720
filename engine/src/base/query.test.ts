import { describe, expect, it } from 'vitest';
import { boolParam, intParam } from './query.js';

describe('boolParam', () => {
  it.each(['1', 'true', 'True', 'TRUE', 'yes', 'anything'])('%s is true', (v) => {
    expect(boolParam(new URLSearchParams({ x: v }), 'x')).toBe(true);
  });
  it.each(['0', 'false', 'False', 'no', 'none', ''])('%j is false', (v) => {
    expect(boolParam(new URLSearchParams({ x: v }), 'x', true)).toBe(false);
  });
  it('takes the default when absent', () => {
    expect(boolParam(new URLSearchParams(), 'x', true)).toBe(true);
    expect(boolParam(new URLSearchParams(), 'x')).toBe(false);
  });
});

describe('intParam', () => {
  it('parses integers and rejects junk with a 400', () => {
    expect(intParam(new URLSearchParams({ t: '10' }), 't', 0)).toBe(10);
    expect(intParam(new URLSearchParams(), 't', 7)).toBe(7);
    expect(() => intParam(new URLSearchParams({ t: 'x' }), 't', 0)).toThrowError(expect.objectContaining({ kind: 'InvalidArgument' }));
  });
});
