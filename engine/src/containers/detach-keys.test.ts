import { describe, expect, it } from 'vitest';
import { DetachKeyFilter, parseDetachKeys } from './detach-keys.js';

describe('detach keys', () => {
  it('parses ctrl- keys and single characters as moby does, and refuses the rest with dockerd text', () => {
    expect([...parseDetachKeys('ctrl-p,ctrl-q')]).toEqual([16, 17]);
    expect([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,a')]).toEqual([0, 27, 28, 29, 30, 31, 97]);
    expect(() => parseDetachKeys('ctrl-1')).toThrow('Invalid detach keys (ctrl-1) provided');
    expect(() => parseDetachKeys('ab')).toThrow('Invalid detach keys (ab) provided');
  });

  it('holds a partial sequence back, releases it on a mismatch, and detects the sequence across chunks', () => {
    const f = new DetachKeyFilter(parseDetachKeys('ctrl-p,ctrl-q'));
    expect(f.push(Buffer.from('ab\x10'))).toEqual({ data: Buffer.from('ab'), detached: false });
    expect(f.push(Buffer.from('c'))).toEqual({ data: Buffer.from('\x10c'), detached: false });
    expect(f.push(Buffer.from('\x10\x10'))).toEqual({ data: Buffer.from('\x10'), detached: false });
    expect(f.push(Buffer.from('\x11rest'))).toEqual({ data: Buffer.alloc(0), detached: true });
  });
});
