/**
 * The daemon's side of a client session (`POST /session`): after the upgrade the client is the HTTP/2 + gRPC
 * server and berthd dials it over the hijacked socket, for FileSync, Secrets, Auth and health. One object per
 * session; calls are unary or bidi streams of raw protobuf messages.
 */
import http2 from 'node:http2';
import type { Duplex } from 'node:stream';
import { decodeGrpcMessage, frame, FrameReader, GRPC_STATUS, GrpcError } from './grpc-frames.js';

export type Metadata = Record<string, string | string[]>;

/** One bidi call: write messages, read them as they come, and its end as a status. */
export interface CallStream extends AsyncIterable<Buffer> {
  write(message: Buffer): boolean;
  /** Writes messages that are already in their gRPC frames (many small ones as one stream write). */
  writeFrames(framed: Buffer): boolean;
  /** Resolves once the peer can take more (after write returned false). */
  drain(): Promise<void>;
  /** Half-closes our side. */
  end(): void;
  cancel(): void;
}

const FLOW_WINDOW = 32 << 20;
const EMPTY = Buffer.alloc(0);

export class ClientSession {
  private readonly h2: http2.ClientHttp2Session;
  private readonly closedPromise: Promise<void>;
  private readonly calls = new Set<http2.ClientHttp2Stream>();

  constructor(
    readonly id: string,
    readonly methods: ReadonlySet<string>,
    socket: Duplex,
  ) {
    this.h2 = http2.connect('http://buildkit-session', {
      createConnection: () => socket,
      settings: { initialWindowSize: FLOW_WINDOW, maxFrameSize: 1 << 20 },
    });
    this.h2.on('error', () => undefined);
    this.h2.on('connect', () => this.h2.setLocalWindowSize(FLOW_WINDOW));
    this.closedPromise = new Promise((resolve) => this.h2.once('close', () => resolve()));
  }

  get closed(): Promise<void> {
    return this.closedPromise;
  }

  get isClosed(): boolean {
    return this.h2.closed || this.h2.destroyed;
  }

  supports(path: string): boolean {
    return this.methods.has(path);
  }

  call(path: string, metadata: Metadata = {}): CallStream {
    if (this.isClosed) throw new GrpcError(GRPC_STATUS.UNAVAILABLE, 'build session is closed');
    const req = this.h2.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...metadata,
    });
    this.calls.add(req);
    const reader = new FrameReader();
    // Messages not yet taken, from `head` on: a receiver that waits on its disk lets thousands queue up, and
    // `shift()` of such an array moved every element each time (seconds of a 20,000-file context's transfer).
    let queue: Buffer[] = [];
    let head = 0;
    let failure: Error | undefined;
    let ended = false;
    let wake: (() => void) | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const status = (headers: http2.IncomingHttpHeaders): void => {
      const raw = headers['grpc-status'];
      if (raw === undefined) return;
      const code = Number(raw);
      if (code !== GRPC_STATUS.OK) failure ??= new GrpcError(code, decodeGrpcMessage(headers['grpc-message']));
    };
    req.on('response', (headers) => status(headers));
    req.on('trailers', (headers) => status(headers));
    req.on('data', (chunk: Buffer) => {
      try {
        for (const m of reader.push(chunk)) queue.push(m);
      } catch (err) {
        failure ??= err as Error;
        req.close(http2.constants.NGHTTP2_CANCEL);
      }
      notify();
    });
    req.on('error', (err) => {
      failure ??= new GrpcError(GRPC_STATUS.UNAVAILABLE, err.message);
      notify();
    });
    req.on('close', () => {
      this.calls.delete(req);
      if (!failure && req.rstCode && req.rstCode !== http2.constants.NGHTTP2_NO_ERROR) {
        failure = new GrpcError(GRPC_STATUS.CANCELLED, `stream reset (${req.rstCode})`);
      }
      ended = true;
      notify();
    });
    return {
      write: (m) => req.write(frame(m)),
      writeFrames: (framed) => req.write(framed),
      drain: () => new Promise((resolve) => (req.writableNeedDrain && !req.destroyed ? req.once('drain', resolve).once('close', resolve) : resolve())),
      end: () => req.end(),
      cancel: () => req.close(http2.constants.NGHTTP2_CANCEL),
      [Symbol.asyncIterator]: async function* () {
        for (;;) {
          if (head < queue.length) {
            const m = queue[head]!;
            queue[head++] = EMPTY;
            if (head === queue.length) {
              queue = [];
              head = 0;
            }
            yield m;
            continue;
          }
          if (failure) throw failure;
          if (ended) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    };
  }

  /** A unary call: one message each way. */
  async unary(path: string, message: Buffer, metadata: Metadata = {}): Promise<Buffer> {
    const s = this.call(path, metadata);
    s.write(message);
    s.end();
    let reply: Buffer | undefined;
    for await (const m of s) reply ??= m;
    if (!reply) throw new GrpcError(GRPC_STATUS.INTERNAL, `${path}: no response message`);
    return reply;
  }

  close(): void {
    for (const c of this.calls) c.close(http2.constants.NGHTTP2_CANCEL);
    if (!this.isClosed) this.h2.close();
    // A client that stops reading must not keep the socket: destroy after a short grace.
    setTimeout(() => this.h2.destroy(), 2_000).unref();
  }
}
