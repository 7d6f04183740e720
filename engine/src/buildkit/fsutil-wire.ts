/**
 * fsutil packets decoded and encoded by hand, for the DiffCopy receiver's hot path. A context of 20,000 files is
 * ~60,000 packets; decoding each through protobufjs (a message object, a Long per int64, then `toObject`'s second
 * copy) kept the young-generation GC at ~16 % of berthd's thread during a transfer. Here a packet is one plain
 * object (and its Stat), its data a view of the received bytes. Field numbers are `fsutil.types.Packet`/`Stat` as in
 * `proto/session.ts`; unknown fields are skipped as protobuf requires.
 */
import { PACKET, type Packet, type Stat } from './fsutil-packets.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';

const EMPTY: Buffer = Buffer.alloc(0);
const TWO_32 = 4294967296;
/** The xattrs of a Stat that has none (nearly all): shared, so no object is made per packet. Never mutated. */
const NO_XATTRS: Record<string, Buffer> = Object.freeze(Object.create(null) as Record<string, Buffer>);

function malformed(): GrpcError {
  return new GrpcError(GRPC_STATUS.INVALID_ARGUMENT, 'invalid file transfer: malformed packet');
}

/** A protobuf reader over `buf[pos, end)`. */
class Reader {
  /** The high 32 bits of the last `varint()` (int64 fields need them). */
  hi = 0;

  constructor(
    readonly buf: Buffer,
    public pos: number,
    readonly end: number,
  ) {}

  /** A varint's low 32 bits (unsigned); its high bits are left in `hi`. */
  varint(): number {
    const b = this.buf;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw malformed();
      const byte = b[this.pos++]!;
      if (shift < 28) lo |= (byte & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (byte & 0x0f) << 28;
        hi |= (byte & 0x7f) >>> 4;
      } else hi |= (byte & 0x7f) << (shift - 32);
      if (byte < 0x80) {
        this.hi = hi >>> 0;
        return lo >>> 0;
      }
      shift += 7;
    }
    throw malformed();
  }

  /** An int64 varint as a Number (beyond 2^53 rounded, as protobufjs's `longs: Number` gives it). */
  int64(): number {
    const lo = this.varint();
    const hi = this.hi;
    if (hi >>> 31) {
      // Two's complement negative.
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      return -(nlo + nhi * TWO_32);
    }
    return lo + hi * TWO_32;
  }

  /** A length-delimited field's bounds, `pos` moved past it. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (this.hi !== 0 || len > this.end - start) throw malformed();
    this.pos = start + len;
    return [start, this.pos];
  }

  string(): string {
    const [s, e] = this.span();
    return s === e ? '' : this.buf.toString('utf8', s, e);
  }

  bytes(): Buffer {
    const [s, e] = this.span();
    return s === e ? EMPTY : this.buf.subarray(s, e);
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.span();
    else if (wireType === 5) this.pos += 4;
    else throw malformed();
    if (this.pos > this.end) throw malformed();
  }
}

function decodeStat(buf: Buffer, start: number, end: number): Stat {
  const st: Stat = { path: '', mode: 0, uid: 0, gid: 0, size: 0, modTime: 0, linkname: '', devmajor: 0, devminor: 0, xattrs: NO_XATTRS };
  const s = new Reader(buf, start, end);
  while (s.pos < end) {
    const tag = s.varint();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === 2) st.path = s.string();
    else if (field === 2 && wt === 0) st.mode = s.varint();
    else if (field === 3 && wt === 0) st.uid = s.varint();
    else if (field === 4 && wt === 0) st.gid = s.varint();
    else if (field === 5 && wt === 0) st.size = s.int64();
    else if (field === 6 && wt === 0) st.modTime = s.int64();
    else if (field === 7 && wt === 2) st.linkname = s.string();
    else if (field === 8 && wt === 0) st.devmajor = s.int64();
    else if (field === 9 && wt === 0) st.devminor = s.int64();
    else if (field === 10 && wt === 2) {
      // A map entry: key = 1 (string), value = 2 (bytes).
      const [es, ee] = s.span();
      const e = new Reader(buf, es, ee);
      let key = '';
      let value = EMPTY;
      while (e.pos < ee) {
        const t = e.varint();
        if (t === 0x0a) key = e.string();
        else if (t === 0x12) value = e.bytes();
        else e.skip(t & 7);
      }
      // No prototype: a name such as `__proto__` is just a key.
      if (st.xattrs === NO_XATTRS) st.xattrs = Object.create(null) as Record<string, Buffer>;
      st.xattrs[key] = value;
    } else s.skip(wt);
  }
  return st;
}

/** One `fsutil.types.Packet`; `data` is a view of `buf`. */
export function decodePacket(buf: Buffer): Packet {
  const p: Packet = { type: 0, stat: null, ID: 0, data: EMPTY };
  const r = new Reader(buf, 0, buf.length);
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 && wt === 0) p.type = r.varint() | 0;
    else if (field === 2 && wt === 2) {
      const [s, e] = r.span();
      p.stat = decodeStat(buf, s, e);
    } else if (field === 3 && wt === 0) p.ID = r.varint();
    else if (field === 4 && wt === 2) p.data = r.bytes();
    else r.skip(wt);
  }
  return p;
}

/** Appends a varint of a uint32. */
function putVarint(out: Buffer, pos: number, v: number): number {
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

/**
 * REQ packets for `ids`, each already in its gRPC frame, as one buffer: one stream write asks for many files
 * (a write per file was an HTTP/2 frame and a socket write each).
 */
export function framedRequests(ids: readonly number[]): Buffer {
  // Frame header (5) + type field (2) + ID tag (1) + ID varint (≤ 5).
  const out = Buffer.allocUnsafe(ids.length * 13);
  let pos = 0;
  for (const id of ids) {
    const start = pos;
    pos += 5;
    out[pos++] = 0x08;
    out[pos++] = PACKET.REQ;
    if (id !== 0) {
      // proto3 leaves a zero ID out, as protobufjs does.
      out[pos++] = 0x18;
      pos = putVarint(out, pos, id >>> 0);
    }
    out[start] = 0;
    out.writeUInt32BE(pos - start - 5, start + 1);
  }
  return out.subarray(0, pos);
}

/** The FIN packet's bytes (unframed, as `CallStream.write` frames them). */
export const FIN_PACKET = Buffer.from([0x08, PACKET.FIN]);
