import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { HostMessage } from '../../shared/wire.js';
import { startBrowserServer, type BrowserServer } from './browser-server.js';
import type { WatcherListener } from './engine-watcher.js';
import type { UiHost } from './ui-host.js';

// A UiHost that answers from memory: this tests the transport, not the engine.
function fakeHost() {
  const listeners = new Set<WatcherListener>();
  const closed: number[] = [];
  const host = {
    endpoint: 'unix:///fake.sock',
    requests: {
      'engine.status': async () => ({ state: 'running', endpoint: 'unix:///fake.sock' }),
      'images.list': async () => [{ id: 'sha256:1', tags: ['a:b'], digests: [], size: 1, created: 0, containers: 0 }],
      'images.remove': async () => { throw { statusCode: 409, json: { message: 'conflict: unable to remove repository reference "a:b" (must force)' } }; },
      'volumes.list': async () => { throw { statusCode: 404, json: { message: 'page not found' } }; },
    },
    streams: {
      'containers.logs': async (_args: unknown, sink: { data(v: unknown): void }) => {
        sink.data([{ stream: 'stdout', text: 'hello' }]);
        return { close: () => closed.push(1) };
      },
    },
    describe: (ch: string) => (ch === 'volumes.list' ? 'volumes (GET /volumes)' : undefined),
    subscribe: (l: WatcherListener) => { listeners.add(l); return () => listeners.delete(l); },
    close: () => undefined,
  } as unknown as UiHost;
  return { host, emit: (v: { resource: 'images'; action: string }) => listeners.forEach((l) => l('changed', v)), closed, listeners };
}

function get(port: number, p: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: p, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    }).on('error', reject).end();
  });
}

function connect(url: string, headers: Record<string, string>): Promise<{ ws: WebSocket; next(): Promise<HostMessage> } | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    const queue: HostMessage[] = [];
    const waiters: ((m: HostMessage) => void)[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as HostMessage;
      const w = waiters.shift();
      if (w) w(m); else queue.push(m);
    });
    ws.on('open', () => resolve({ ws, next: () => new Promise((r) => { const m = queue.shift(); if (m) r(m); else waiters.push(r); }) }));
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('browser-mode server', () => {
  let dir: string;
  let server: BrowserServer;
  let fake: ReturnType<typeof fakeHost>;
  let origin: string;
  let wsUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-ui-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
    await writeFile(path.join(os.tmpdir(), 'berth-secret.txt'), 'secret');
    fake = fakeHost();
    server = await startBrowserServer({ host: fake.host, staticDir: dir });
    origin = `http://127.0.0.1:${server.port}`;
    wsUrl = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL that carries the token in the fragment', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${server.token}`);
    expect(server.token.length).toBeGreaterThanOrEqual(32);
  });

  it('serves the UI with a strict CSP, and nothing outside its folder', async () => {
    const res = await get(server.port, '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Berth</title>');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect((await get(server.port, '/../berth-secret.txt')).status).toBe(404);
    expect((await get(server.port, '/%2e%2e/berth-secret.txt')).status).toBe(404);
  });

  it('refuses a request that names another host (DNS rebinding)', async () => {
    expect((await get(server.port, '/', { Host: `evil.example:${server.port}` })).status).toBe(403);
  });

  it('refuses a WebSocket without the token, from another origin, or for another host', async () => {
    expect(await connect(`ws://127.0.0.1:${server.port}/ws?token=wrong`, { Origin: origin })).toBe(403);
    expect(await connect(`ws://127.0.0.1:${server.port}/ws`, { Origin: origin })).toBe(403);
    expect(await connect(wsUrl, { Origin: 'http://evil.example' })).toBe(403);
    expect(await connect(wsUrl, {})).toBe(403);
    expect(await connect(wsUrl, { Origin: origin, Host: 'evil.example' })).toBe(403);
  });

  it('answers requests, maps engine errors, pushes events and closes streams with the connection', async () => {
    const c = await connect(wsUrl, { Origin: origin });
    if (typeof c === 'number') throw new Error(`refused: ${c}`);
    const send = (m: object) => c.ws.send(JSON.stringify(m));

    send({ t: 'req', id: 1, ch: 'images.list' });
    expect(await c.next()).toEqual({ t: 'res', id: 1, ok: true, value: [{ id: 'sha256:1', tags: ['a:b'], digests: [], size: 1, created: 0, containers: 0 }] });

    send({ t: 'req', id: 2, ch: 'images.remove', args: { id: 'a:b' } });
    expect(await c.next()).toEqual({ t: 'res', id: 2, ok: false, error: { code: 'conflict', status: 409, message: 'conflict: unable to remove repository reference "a:b" (must force)' } });

    send({ t: 'req', id: 3, ch: 'volumes.list' });
    expect(await c.next()).toMatchObject({ id: 3, ok: false, error: { code: 'not_implemented', message: 'This engine does not support volumes (GET /volumes) yet (page not found).' } });

    send({ t: 'req', id: 4, ch: 'fs.readFile' });
    expect(await c.next()).toMatchObject({ id: 4, ok: false, error: { code: 'invalid', message: 'unknown channel fs.readFile' } });

    fake.emit({ resource: 'images', action: 'pull' });
    expect(await c.next()).toEqual({ t: 'event', ch: 'changed', value: { resource: 'images', action: 'pull' } });

    send({ t: 'open', id: 5, ch: 'containers.logs', args: { id: 'x' } });
    expect(await c.next()).toEqual({ t: 'data', id: 5, value: [{ stream: 'stdout', text: 'hello' }] });
    c.ws.close();
    await expect.poll(() => fake.closed.length).toBe(1);
    await expect.poll(() => fake.listeners.size).toBe(0);
  });
});
