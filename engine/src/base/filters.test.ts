import { describe, expect, it } from 'vitest';
import { Filters } from './filters.js';

describe('Filters', () => {
  it('accepts the Go client shape and the swagger shape alike', () => {
    const a = Filters.parse('{"label":{"a=b":true},"status":{"running":true}}');
    const b = Filters.parse('{"label":["a=b"],"status":["running"]}');
    for (const f of [a, b]) {
      expect(f.get('label')).toEqual(['a=b']);
      expect(f.get('status')).toEqual(['running']);
    }
  });

  it('treats empty and absent as no filter', () => {
    expect(Filters.parse('').keys()).toEqual([]);
    expect(Filters.parse(null).keys()).toEqual([]);
    expect(Filters.parse('{}').exactMatch('status', 'exited')).toBe(true);
  });

  it("rejects unknown keys with dockerd's message", () => {
    expect(() => Filters.parse('{"foo":["x"]}').validate(['label'])).toThrow("invalid filter 'foo'");
  });

  it('rejects malformed JSON as a 400', () => {
    expect(() => Filters.parse('{nope')).toThrowError(expect.objectContaining({ kind: 'InvalidArgument' }));
  });

  it('ANDs label terms and supports key-only terms', () => {
    const f = Filters.parse('{"label":["a=b","c"]}');
    expect(f.matchKVList('label', { a: 'b', c: 'x' })).toBe(true);
    expect(f.matchKVList('label', { a: 'b' })).toBe(false);
    expect(f.matchKVList('label', { a: 'z', c: '' })).toBe(false);
  });

  it('ORs values under one key; fuzzy matches ID prefixes', () => {
    const f = Filters.parse('{"status":["running","paused"],"id":["abc"]}');
    expect(f.exactMatch('status', 'paused')).toBe(true);
    expect(f.exactMatch('status', 'exited')).toBe(false);
    expect(f.fuzzyMatch('id', 'abcdef')).toBe(true);
    expect(f.fuzzyMatch('id', 'bcd')).toBe(false);
  });

  it('reads boolean filters as dockerd does', () => {
    expect(Filters.parse('{"dangling":["true"]}').boolValue('dangling')).toBe(true);
    expect(Filters.parse('{"dangling":["0"]}').boolValue('dangling')).toBe(false);
    expect(Filters.parse('{}').boolValue('dangling')).toBeUndefined();
    expect(() => Filters.parse('{"dangling":["maybe"]}').boolValue('dangling')).toThrow(/must be a boolean/);
  });
});
