import { describe, expect, it } from 'vitest';
import { patchRows } from './list-store.js';

const key = (r: { id: string }) => r.id;

describe('patchRows', () => {
  const a = { id: 'a', v: 1 };
  const b = { id: 'b', v: 1 };
  const c = { id: 'c', v: 1 };

  it('replaces a named row in place and keeps the others as the same objects', () => {
    const next = patchRows([a, b, c], new Set(['b']), [{ id: 'b', v: 2 }], key);
    expect(next).toEqual([a, { id: 'b', v: 2 }, c]);
    expect(next[0]).toBe(a);
    expect(next[2]).toBe(c);
  });

  it('drops a named row the engine no longer has, and puts a new one first', () => {
    expect(patchRows([a, b, c], new Set(['b', 'd']), [{ id: 'd', v: 1 }], key)).toEqual([{ id: 'd', v: 1 }, a, c]);
  });

  it('ignores rows it was not asked about', () => {
    expect(patchRows([a], new Set(['a']), [{ id: 'a', v: 3 }, { id: 'x', v: 1 }], key)).toEqual([{ id: 'a', v: 3 }]);
  });
});
