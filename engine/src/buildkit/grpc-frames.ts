/**
 * gRPC's message framing on an HTTP/2 stream (1 flag byte, 4-byte big-endian length, the protobuf bytes), and the
 * status error a call ends with. Used by the session client, where berthd dials the client's gRPC server itself.
 */
export const GRPC_STATUS = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** A google.protobuf.Any, as an error status carries its details. */
export interface StatusDetail {
  type_url: string;
  value: Buffer | Uint8Array;
}

export class GrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    /** Sent as the status's details (`grpc-status-details-bin`), e.g. the Dockerfile lines of a build error. */
    readonly details: StatusDetail[] = [],
  ) {
    super(message);
  }
}

export function frame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** Splits a stream of DATA chunks into whole messages. */
/**
 * Splits a stream's DATA chunks into messages. A message inside one chunk is a view of it; only a message that
 * spans chunks is copied, once, into a buffer of its own size. (Appending every chunk to the unread rest copied
 * each byte again per chunk, and a 200 MB context's churn of such buffers kept the garbage collector busy.)
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  /** Unread bytes across `chunks` (the first one's read offset is `offset`). */
  private unread = 0;
  private offset = 0;

  push(chunk: Buffer): Buffer[] {
    if (chunk.length) {
      this.chunks.push(chunk);
      this.unread += chunk.length;
    }
    const out: Buffer[] = [];
    while (this.unread >= 5) {
      const head = this.peek(5);
      const len = head.readUInt32BE(1);
      if (this.unread < 5 + len) break;
      if (head[0] !== 0) throw new GrpcError(GRPC_STATUS.INTERNAL, 'compressed gRPC messages are not supported');
      this.take(5);
      out.push(this.take(len));
    }
    return out;
  }

  get pending(): boolean {
    return this.unread > 0;
  }

  /** The next `n` unread bytes (n <= unread), without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length - this.offset >= n) return first.subarray(this.offset, this.offset + n);
    return this.gather(n, false);
  }

  /** Consumes the next `n` unread bytes (n <= unread). */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.advance(n);
      return out;
    }
    return this.gather(n, true);
  }

  private gather(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let copied = 0;
    let offset = this.offset;
    for (let i = 0; copied < n; i++) {
      const c = this.chunks[i]!;
      copied += c.copy(out, copied, offset, Math.min(c.length, offset + n - copied));
      offset = 0;
    }
    if (consume) this.advance(n);
    return out;
  }

  private advance(n: number): void {
    this.unread -= n;
    while (n > 0) {
      const left = this.chunks[0]!.length - this.offset;
      if (n < left) {
        this.offset += n;
        return;
      }
      n -= left;
      this.chunks.shift();
      this.offset = 0;
    }
  }
}

/** The `grpc-message` header is percent-encoded. */
export function decodeGrpcMessage(v: string | string[] | undefined): string {
  const s = Array.isArray(v) ? v.join(', ') : (v ?? '');
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
