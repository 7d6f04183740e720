import { spawn } from 'node:child_process';
import net from 'node:net';
import { dockerBinary, dockerEnv } from '../../../../scripts/src/testrig/index.js';

/** Debian's python3 with its python3-docker (5.0.3), the docker-py an apt user has (not a pip one on PATH). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export interface Frame {
  stream: number;
  data: string;
}

/** Splits docker's 8-byte-header multiplexed stream into frames; throws on a torn frame. */
export function demux(buf: Buffer): Frame[] {
  const out: Frame[] = [];
  let off = 0;
  while (off < buf.length) {
    if (off + 8 > buf.length) throw new Error(`torn frame header at ${off}`);
    const len = buf.readUInt32BE(off + 4);
    if (off + 8 + len > buf.length) throw new Error(`torn frame at ${off}`);
    out.push({ stream: buf[off] ?? -1, data: buf.subarray(off + 8, off + 8 + len).toString('utf8') });
    off += 8 + len;
  }
  return out;
}

/** The text of one stream in a demuxed body. */
export function streamText(frames: Frame[], stream: 1 | 2): string {
  return frames.filter((f) => f.stream === stream).map((f) => f.data).join('');
}

export interface RawConnection {
  /** Status line and headers, exactly as the server wrote them. */
  head: string;
  /** Everything after the header block, until the server closed. */
  body: Promise<Buffer>;
  socket: net.Socket;
}

/**
 * Sends one HTTP request on a fresh unix socket connection and reads the raw reply, so a test sees the
 * hand-written `101 UPGRADED` block and the stream after it byte for byte.
 */
export function rawRequest(socketPath: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path: socketPath, allowHalfOpen: true });
    const headers = { Host: 'berthd', ...(opts.body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers };
    socket.write(`${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n${opts.body ?? ''}`);
    let buf = Buffer.alloc(0);
    let resolved = false;
    let finish: (b: Buffer) => void = () => undefined;
    const body = new Promise<Buffer>((r) => (finish = r));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!resolved) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        resolved = true;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        resolve({ head, body, socket });
      }
    });
    socket.on('end', () => {
      finish(buf);
      socket.end();
    });
    socket.on('close', () => finish(buf));
    socket.on('error', reject);
  });
}

export interface TtySession {
  /** Everything the terminal showed so far. */
  output(): string;
  write(text: string): void;
  /** Waits until the output contains `text` (or times out with what was seen). */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Ends stdin and resolves with the exit code of the command run in the terminal. */
  exit: Promise<number>;
  kill(): void;
}

/**
 * Runs a shell command line under a real pseudo-terminal (util-linux `script`), with the docker CLI pointed at
 * `host`. stdin stays open until the test ends it, as a user's keyboard would.
 */
export function inTerminal(commandLine: string, host: string, size = { rows: 40, cols: 100 }): TtySession {
  const env = dockerEnv(host);
  // The command line says `docker`: the rig's client comes first on PATH.
  env.PATH = `${dockerBinary().replace(/\/docker$/, '')}:${env.PATH ?? ''}`;
  const child = spawn('script', ['-qfec', `stty rows ${size.rows} cols ${size.cols}; ${commandLine}`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters = new Set<() => void>();
  const onOut = (c: Buffer): void => {
    out += c.toString('utf8');
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', onOut);
  child.stderr.on('data', onOut);
  const exit = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 128)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exit.then(() => clearTimeout(timer));
  return {
    output: () => out,
    write: (text) => child.stdin.write(text),
    waitFor: (text, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          if (typeof text === 'string' ? out.includes(text) : text.test(out)) {
            waiters.delete(check);
            clearTimeout(t);
            resolve();
          }
        };
        const t = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`terminal never showed ${String(text)}; it showed: ${JSON.stringify(out)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    exit,
    kill: () => child.kill('SIGKILL'),
  };
}

/** Polls until `check` returns a value that is not undefined. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
