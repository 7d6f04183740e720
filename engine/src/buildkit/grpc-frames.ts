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
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.buf.length >= 5) {
      const len = this.buf.readUInt32BE(1);
      if (this.buf.length < 5 + len) break;
      if (this.buf[0] !== 0) throw new GrpcError(GRPC_STATUS.INTERNAL, 'compressed gRPC messages are not supported');
      out.push(this.buf.subarray(5, 5 + len));
      this.buf = this.buf.subarray(5 + len);
    }
    return out;
  }

  get pending(): boolean {
    return this.buf.length > 0;
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
