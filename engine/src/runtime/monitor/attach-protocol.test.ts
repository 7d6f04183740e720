import { describe, expect, it } from 'vitest';
import { FrameDecoder, frame, resizeFrame } from './attach-protocol.js';

describe('attach framing', () => {
  it('round-trips frames split at any byte', () => {
    const bytes = Buffer.concat([frame(1, Buffer.from('hello\n')), frame(2, Buffer.from('err')), resizeFrame(24, 80)]);
    const d = new FrameDecoder();
    const out = [...bytes].flatMap((b) => d.push(Buffer.from([b])));
    expect(out.map((f) => f.type)).toEqual([1, 2, 2]);
    expect(out[0]?.payload.toString()).toBe('hello\n');
    expect([...(out[2]?.payload ?? [])]).toEqual([0, 24, 0, 80]);
  });
});
