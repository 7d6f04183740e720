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
