import { describe, expect, it } from 'vitest';
import { codec } from './codec.js';
import { frame, FrameReader } from './grpc-frames.js';

describe('gRPC framing and our proto subset', () => {
  it('splits messages that arrive across and within DATA chunks', () => {
    const a = frame(Buffer.from('hello'));
    const b = frame(Buffer.alloc(0));
    const c = frame(Buffer.from('world!'));
    const all = Buffer.concat([a, b, c]);
    const r = new FrameReader();
    const got = [...r.push(all.subarray(0, 3)), ...r.push(all.subarray(3, 12)), ...r.push(all.subarray(12))];
    expect(got.map((m) => m.toString())).toEqual(['hello', '', 'world!']);
    expect(r.pending).toBe(false);
  });

  it('gives every message whole however the chunks split them (headers too), and views, not copies, of those inside one chunk', () => {
    const messages = Array.from({ length: 200 }, (_, i) => Buffer.alloc((i * 37) % 300, i));
    const all = Buffer.concat(messages.map((m) => frame(m)));
    for (const size of [1, 2, 5, 7, 64, 1000, all.length]) {
      const r = new FrameReader();
      const got: Buffer[] = [];
      for (let off = 0; off < all.length; off += size) got.push(...r.push(all.subarray(off, off + size)));
      expect(got.map((m) => m.toString('hex'))).toEqual(messages.map((m) => m.toString('hex')));
      expect(r.pending).toBe(false);
      if (size === all.length) expect(got.every((m) => m.buffer === all.buffer)).toBe(true);
    }
  });

  it('keeps a partial message pending', () => {
    const r = new FrameReader();
    expect(r.push(frame(Buffer.from('abc')).subarray(0, 6))).toEqual([]);
    expect(r.pending).toBe(true);
  });

  it('round-trips a fsutil packet with Go file modes and a Control solve request with maps', () => {
    const packets = codec<{ type: number; stat: { path: string; mode: number; modTime: number } | null; ID: number }>('fsutil.types.Packet');
    const p = packets.decode(packets.encode({ type: 0, stat: { path: 'dir/ü', mode: 0x800001ed, modTime: 1_700_000_000_123_456_000 } }));
    expect(p.stat).toMatchObject({ path: 'dir/ü', mode: 0x800001ed });
    expect(p.ID).toBe(0);
    const solve = codec<{ Ref: string; FrontendAttrs: Record<string, string>; Exporters: Array<{ Type: string; Attrs: Record<string, string> }> }>('moby.buildkit.v1.SolveRequest');
    const s = solve.decode(solve.encode({ Ref: 'r1', FrontendAttrs: { filename: 'Dockerfile' }, Exporters: [{ Type: 'moby', Attrs: { name: 'a:1' } }] }));
    expect(s).toMatchObject({ Ref: 'r1', FrontendAttrs: { filename: 'Dockerfile' }, Exporters: [{ Type: 'moby', Attrs: { name: 'a:1' } }] });
  });
});
