import { execFileSync } from 'node:child_process';
import { readdir, readlink } from 'node:fs/promises';
import net from 'node:net';

export interface CutOptions {
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Bytes of the reply (head included) to read before hanging up; or a text to wait for. */
  after: number | string;
  timeoutMs?: number;
}

/**
 * Sends one request on a fresh unix socket connection, reads the reply until `after` is met, then destroys the
 * socket without reading further: a client that goes away mid-stream (`curl … | head -c 1000`). Resolves with
 * what was read.
 */
export function cutMidStream(socketPath: string, method: string, path: string, o: CutOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path: socketPath });
    const body = o.body === undefined ? undefined : Buffer.from(o.body);
    const headers: Record<string, string> = {
      Host: 'berthd',
      ...(body ? { 'Content-Length': String(body.length) } : {}),
      ...o.headers,
    };
    socket.write(`${method} ${path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    if (body) socket.write(body);
    let seen = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${method} ${path}: no ${String(o.after)} within ${o.timeoutMs ?? 30_000} ms; got ${seen.subarray(0, 400).toString('latin1')}`));
    }, o.timeoutMs ?? 30_000);
    socket.on('data', (chunk: Buffer) => {
      seen = Buffer.concat([seen, chunk]);
      const met = typeof o.after === 'number' ? seen.length >= o.after : seen.includes(o.after);
      if (!met) return;
      clearTimeout(timer);
      socket.destroy();
      resolve(seen.toString('latin1'));
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`${method} ${path}: the server closed after ${seen.length} bytes: ${seen.subarray(0, 400).toString('latin1')}`));
    });
  });
}

/** A streaming request kept open until the test hangs up: `seen(text)` waits for a text of the reply. */
export interface HeldStream {
  seen(text: string, timeoutMs?: number): Promise<void>;
  hangUp(): void;
}

export function holdStream(socketPath: string, method: string, path: string): HeldStream {
  const socket = net.createConnection({ path: socketPath });
  socket.write(`${method} ${path} HTTP/1.1\r\nHost: berthd\r\nContent-Length: 0\r\n\r\n`);
  let got = '';
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    got += chunk.toString('latin1');
    for (const w of waiters) w();
  });
  socket.on('error', () => undefined);
  return {
    seen: (text, timeoutMs = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${method} ${path}: no ${text} within ${timeoutMs} ms; got ${got.slice(0, 400)}`));
        }, timeoutMs);
        const check = (): void => {
          if (!got.includes(text)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      }),
    hangUp: () => socket.destroy(),
  };
}

/** What a process's file descriptors point at (`socket:[…]`, paths, `pipe:[…]`), for counting and for messages. */
export async function openFds(pid: number): Promise<string[]> {
  const fds = await readdir(`/proc/${pid}/fd`);
  return Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => 'gone')));
}

/** Polls `probe` until it returns a value, up to `timeoutMs`; throws with the last value seen. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * `socket:[inode]` of the TCP connections to `port` on loopback: the registry client's pooled keep-alive
 * connections (Go's transport keeps them too), which are not leaks.
 */
export function pooledConnections(port: number): Set<string> {
  const out = execFileSync('ss', ['-tanHe', 'state', 'established', 'dport', `= :${port}`], { encoding: 'utf8' });
  return new Set([...out.matchAll(/ino:(\d+)/g)].map((m) => `socket:[${m[1]}]`));
}
