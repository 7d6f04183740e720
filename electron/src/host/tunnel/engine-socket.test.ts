import { mkdtempSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineSocketServer } from './engine-socket.js';
import { testTmpdir } from '../../../../scripts/src/testrig/temp-dir.js';

// The far end is a real unix-socket server; in production openChannel() is an ssh2 channel to berthd in the VM.
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmp(): string {
  return mkdtempSync(path.join(testTmpdir(), 'berth-tun-'));
}

async function listen(server: net.Server, p: string): Promise<void> {
  await new Promise<void>((r) => server.listen(p, r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
}

async function tunnel(target: string, socketPath: string, poolMaxIdleMs?: number): Promise<EngineSocketServer> {
  const t = new EngineSocketServer({
    socketPath,
    ...(poolMaxIdleMs ? { poolMaxIdleMs } : {}),
    openChannel: () =>
      new Promise((resolve, reject) => {
        // Half-open, as an ssh2 channel is: the engine's EOF alone does not close it.
        const s = net.connect({ path: target, allowHalfOpen: true });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      }),
  });
  await t.listen();
  cleanups.push(() => t.close());
  return t;
}

function get(socketPath: string, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      // A connection per request, as each docker CLI command makes (no keep-alive reuse hiding the pool).
      .get({ socketPath, path: urlPath, agent: false }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('EngineSocketServer', () => {
  it('serves HTTP from the engine on a 0600 socket, one channel per client connection', async () => {
    const dir = tmp();
    const engine = http.createServer((req, res) => res.end(`pong ${req.url}`));
    await listen(engine, path.join(dir, 'engine.sock'));
    const sock = path.join(dir, 'run', 'docker.sock');
    await tunnel(path.join(dir, 'engine.sock'), sock);
    expect(statSync(sock).mode & 0o777).toBe(0o600);
    const results = await Promise.all([1, 2, 3, 4, 5].map((i) => get(sock, `/_ping?${i}`)));
    expect(results.map((r) => r.body)).toEqual([1, 2, 3, 4, 5].map((i) => `pong /_ping?${i}`));
  });

  it('passes a half-close through: the engine sees EOF and can still answer', async () => {
    const dir = tmp();
    // Like `docker attach` with stdin closed: read until EOF, then reply on the same connection.
    const engine = net.createServer({ allowHalfOpen: true }, (s) => {
      const chunks: Buffer[] = [];
      // Warm pool channels are torn down at the end without a request: their writes may EPIPE.
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => chunks.push(d));
      s.on('end', () => s.end(`got ${Buffer.concat(chunks).length} bytes`));
    });
    await listen(engine, path.join(dir, 'engine.sock'));
    const sock = path.join(dir, 'docker.sock');
    await tunnel(path.join(dir, 'engine.sock'), sock);
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ path: sock, allowHalfOpen: true });
      let out = '';
      c.on('data', (d: Buffer) => (out += d.toString()));
      c.on('end', () => resolve(out));
      c.on('error', reject);
      c.end(Buffer.alloc(5 << 20, 1));
    });
    expect(reply).toBe(`got ${5 << 20} bytes`);
  });

  it('does not hand out a warm channel the engine closed while it waited (berthd closes requestless connections)', async () => {
    const dir = tmp();
    const engine = http.createServer((req, res) => res.end(`pong ${req.url}`));
    // As berthd does after a minute: a connection that has sent no request is closed.
    engine.on('connection', (s: net.Socket) => {
      const t = setTimeout(() => s.destroy(), 200);
      s.once('data', () => clearTimeout(t));
    });
    await listen(engine, path.join(dir, 'engine.sock'));
    const sock = path.join(dir, 'docker.sock');
    await tunnel(path.join(dir, 'engine.sock'), sock);
    expect((await get(sock, '/_ping?1')).body).toBe('pong /_ping?1');
    await new Promise((r) => setTimeout(r, 600));
    expect(await get(sock, '/_ping?2')).toEqual({ status: 200, body: 'pong /_ping?2' });
    expect(await get(sock, '/_ping?3')).toEqual({ status: 200, body: 'pong /_ping?3' });
  });

  it('replaces a warm channel older than its idle limit instead of racing the engine\'s close', async () => {
    const dir = tmp();
    let accepted = 0;
    const servedOn: number[] = [];
    const engine = http.createServer((req, res) => res.end('pong'));
    engine.on('connection', (s: net.Socket) => {
      const n = ++accepted;
      s.once('data', () => servedOn.push(n));
    });
    await listen(engine, path.join(dir, 'engine.sock'));
    const sock = path.join(dir, 'docker.sock');
    await tunnel(path.join(dir, 'engine.sock'), sock, 100);
    await new Promise((r) => setTimeout(r, 300));
    const before = accepted;
    expect((await get(sock, '/_ping')).body).toBe('pong');
    // The two channels warmed at start were too old: the request went over one opened after the wait.
    expect(before).toBe(2);
    expect(servedOn[0]).toBeGreaterThan(before);
  });

  it('answers 503 with a message when the VM cannot be reached', async () => {
    const dir = tmp();
    const sock = path.join(dir, 'docker.sock');
    await tunnel(path.join(dir, 'nothing.sock'), sock);
    const res = await get(sock, '/_ping');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.body).message).toMatch(/berth start/);
  });

  it('refuses to take over a socket another live process serves', async () => {
    const dir = tmp();
    const other = net.createServer();
    await listen(other, path.join(dir, 'docker.sock'));
    const t = new EngineSocketServer({ socketPath: path.join(dir, 'docker.sock'), openChannel: () => Promise.reject(new Error('x')) });
    await expect(t.listen()).rejects.toThrow(/in use/);
  });
});
