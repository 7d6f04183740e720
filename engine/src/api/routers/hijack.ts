import type { Duplex, Readable, Writable } from 'node:stream';
import { versionAtLeast } from '../../base/version.js';
import type { StreamClient } from '../../containers/attach.js';
import { parseJsonBody } from '../respond.js';
import type { RequestContext } from '../router.js';
import type { GoNode } from '../validate/go-node.js';

export const RAW_STREAM = 'application/vnd.docker.raw-stream';
export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';

const STREAM_TYPE = { stdout: 1, stderr: 2 } as const;

/** docker's stdcopy frame: `[stream, 0, 0, 0, size u32 BE]` then the payload. */
export function muxFrame(stream: 'stdout' | 'stderr', data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + data.length);
  out.writeUInt32BE(0, 0);
  out[0] = STREAM_TYPE[stream];
  out.writeUInt32BE(data.length, 4);
  data.copy(out, 8);
  return out;
}

/** The stream content type dockerd announces: multiplexed only for non-TTY output and API ≥ 1.42. */
export function streamContentType(ctx: RequestContext, tty: boolean): string {
  return !tty && versionAtLeast(ctx.apiVersion, '1.42') ? MULTIPLEXED_STREAM : RAW_STREAM;
}

/** Writes with backpressure; resolves early if the peer is gone, so a dead client never blocks a session. */
export function writeWithDrain(out: Writable, data: Buffer): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.resolve();
  return out.write(data) ? Promise.resolve() : untilDrained(out);
}

/** Writes the buffers in one go (corked: one writev), waiting for the socket to drain when it asks to. */
export function writeAllWithDrain(out: Writable, pieces: Buffer[]): Promise<void> {
  if (pieces.length === 1) return writeWithDrain(out, pieces[0] as Buffer);
  if (out.destroyed || out.writableEnded) return Promise.resolve();
  out.cork();
  let ok = true;
  for (const p of pieces) ok = out.write(p) && ok;
  out.uncork();
  return ok ? Promise.resolve() : untilDrained(out);
}

/** Resolves when the stream drains or closes. */
function untilDrained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
  });
}

export interface Hijacked {
  client: StreamClient;
  /** Ends the connection once everything written has been flushed. */
  close(): void;
}

/**
 * Takes the connection over as dockerd's hijack does: `101 UPGRADED` (or, without an `Upgrade:` header, `200 OK`
 * with a raw stream) written by hand, the response headers set so far copied, then raw bytes both ways. Output is
 * framed unless `tty`. The client's half-close ends `input`; the socket stays writable (allowHalfOpen).
 */
export function hijack(ctx: RequestContext, tty: boolean): Hijacked {
  const upgraded = ctx.upgrade !== undefined;
  const socket: Duplex = ctx.upgrade?.socket ?? ctx.req.socket;
  const status = upgraded ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${streamContentType(ctx, tty)}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` : `HTTP/1.1 200 OK\r\nContent-Type: ${RAW_STREAM}\r\n`;
  // Canonical names (`Api-Version`), as Go writes its header map.
  const canonical = (k: string): string => k.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
  const headers = Object.entries(ctx.res.getHeaders())
    .map(([k, v]) => `${canonical(k)}: ${Array.isArray(v) ? v.join(', ') : String(v)}\r\n`)
    .join('');
  socket.write(`${status}${headers}\r\n`);
  const head = ctx.upgrade?.head;
  if (head && head.length > 0) socket.unshift(head);
  if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') (socket as unknown as { setNoDelay(): void }).setNoDelay();
  socket.on('error', () => undefined);
  // Without an upgrade the request body is not a stdin stream dockerd clients ever use: no input.
  const input: Readable | undefined = upgraded ? socket : undefined;
  return {
    client: {
      input,
      write: (stream, data) => writeWithDrain(socket, tty ? data : muxFrame(stream, data)),
      signal: ctx.signal,
    },
    close: () => {
      socket.end();
      // A client that never closes its side must not keep the socket forever.
      setTimeout(() => socket.destroy(), 5_000).unref();
    },
  };
}

const bodyRead = new WeakSet<object>();

/**
 * The JSON body of an upgrade request (exec start). Node hands upgrade requests over before reading any body, so
 * the body's bytes sit in `head` and on the socket: take exactly Content-Length of them, leave the rest as stdin.
 */
export async function readUpgradeJson<T>(ctx: RequestContext, shape?: GoNode): Promise<T | undefined> {
  const up = ctx.upgrade;
  if (!up || bodyRead.has(up)) return undefined;
  bodyRead.add(up);
  const length = Number(ctx.req.headers['content-length'] ?? 0);
  if (!Number.isInteger(length) || length <= 0) return undefined;
  let buf = up.head;
  while (buf.length < length) {
    const chunk = await new Promise<Buffer | undefined>((resolve) => {
      const onData = (c: Buffer): void => {
        cleanup();
        up.socket.pause();
        resolve(c);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(undefined);
      };
      const cleanup = (): void => {
        up.socket.off('data', onData);
        up.socket.off('end', onEnd);
        up.socket.off('close', onEnd);
      };
      up.socket.on('data', onData);
      up.socket.once('end', onEnd);
      up.socket.once('close', onEnd);
      up.socket.resume();
    });
    if (!chunk) break;
    buf = Buffer.concat([buf, chunk]);
  }
  up.head = buf.subarray(Math.min(length, buf.length));
  const text = buf.subarray(0, Math.min(length, buf.length)).toString('utf8').trim();
  if (text === '') return undefined;
  return parseJsonBody<T>(text, shape);
}
