// The hand decoder and encoder of fsutil packets against protobufjs over our proto subset (what the Go sender's
// generated code writes): every field, Go file modes with the top bit set, int64 times past 2^53 (2^60 ns: 2006), xattrs, fields
// it does not know, and truncated input.
import { describe, expect, it } from 'vitest';
import { codec } from './codec.js';
import { FILE_MODE, PACKET, type Packet } from './fsutil-packets.js';
import { decodePacket, FIN_PACKET, framedRequests } from './fsutil-wire.js';
import { FrameReader } from './grpc-frames.js';

const packets = codec<Packet>('fsutil.types.Packet');

describe('fsutil packet decoding', () => {
  it('reads every Stat field as protobufjs does', () => {
    const stat = {
      path: 'dossier-é/日本語.txt',
      mode: (FILE_MODE.DIR | FILE_MODE.SETGID | 0o755) >>> 0,
      uid: 4_000_000_000,
      gid: 1000,
      size: 2 ** 40 + 3,
      modTime: 2 ** 60 + 2 ** 12,
      linkname: 'target',
      devmajor: 8,
      devminor: -1,
      xattrs: { 'user.a': Buffer.from('x'), 'security.capability': Buffer.from([0, 1, 2]) },
    };
    const bytes = packets.encode({ type: PACKET.STAT, stat });
    const mine = decodePacket(bytes);
    const theirs = packets.decode(bytes);
    expect(mine).toEqual(theirs);
    expect(mine.stat!.mode).toBe(stat.mode);
    expect(mine.stat!.devminor).toBe(-1);
    expect(Object.keys(mine.stat!.xattrs).sort()).toEqual(['security.capability', 'user.a']);
  });

  it('reads DATA as a view of the message, REQ/FIN/ERR, and the empty STAT that ends a listing', () => {
    const data = Buffer.from('hello');
    const bytes = packets.encode({ type: PACKET.DATA, ID: 300, data });
    const p = decodePacket(bytes);
    expect(p).toMatchObject({ type: PACKET.DATA, ID: 300, stat: null });
    expect(p.data.toString()).toBe('hello');
    expect(p.data.buffer).toBe(bytes.buffer);
    for (const m of [{ type: PACKET.STAT }, { type: PACKET.FIN }, { type: PACKET.ERR, data: Buffer.from('boom') }, { type: PACKET.DATA, ID: 7 }]) {
      const b = packets.encode(m);
      expect(decodePacket(b)).toEqual(packets.decode(b));
    }
  });

  it('skips fields it does not know, and fails a truncated packet', () => {
    const known = packets.encode({ type: PACKET.DATA, ID: 5, data: Buffer.from('ab') });
    // Field 15 as a varint, field 16 as bytes, field 17 as fixed64, field 18 as fixed32.
    const extra = Buffer.from([0x78, 0x96, 0x01, 0x82, 0x01, 0x02, 0x61, 0x62, 0x89, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x95, 0x01, 1, 2, 3, 4]);
    const p = decodePacket(Buffer.concat([extra, known]));
    expect(p).toMatchObject({ type: PACKET.DATA, ID: 5 });
    expect(p.data.toString()).toBe('ab');
    expect(() => decodePacket(known.subarray(0, known.length - 1))).toThrow(/malformed packet/);
  });
});

describe('fsutil packet encoding', () => {
  it('frames REQs for many IDs in one buffer that decode as protobufjs reads them', () => {
    const ids = [0, 1, 127, 128, 300, 20_000, 2 ** 32 - 1];
    const messages = new FrameReader().push(framedRequests(ids));
    expect(messages.map((m) => packets.decode(m))).toEqual(ids.map((ID) => ({ type: PACKET.REQ, ID, stat: null, data: Buffer.alloc(0) })));
    expect(packets.decode(FIN_PACKET)).toMatchObject({ type: PACKET.FIN, ID: 0 });
  });
});
