import Docker from 'dockerode';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changeOf, watchEngine, type EngineWatcher } from './engine-watcher.js';

// A stand-in engine on a unix socket that serves /version and an /events stream the test writes into.
async function fakeEngine(socket: string) {
  const streams = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    if (req.url?.endsWith('/version')) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Version: '9.9.9', ApiVersion: '1.51' }));
    } else if (req.url?.includes('/events')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      streams.add(res);
      res.on('close', () => streams.delete(res));
    } else {
      res.writeHead(404).end('{"message":"page not found"}');
    }
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    event: (e: object) => streams.forEach((s) => s.write(`${JSON.stringify(e)}\n`)),
    listening: () => streams.size,
    stop: () => new Promise<void>((r) => { streams.forEach((s) => s.destroy()); server.close(() => r()); }),
  };
}

describe('engine watcher', () => {
  let dir: string;
  let watcher: EngineWatcher | undefined;
  afterEach(async () => {
    watcher?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports running, relays changes, notices the engine going away, and reconnects', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-watch-'));
    const socket = path.join(dir, 'engine.sock');
    let engine = await fakeEngine(socket);
    watcher = watchEngine(new Docker({ socketPath: socket }), `unix://${socket}`, { maxBackoffMs: 200 });
    const seen: unknown[] = [];
    watcher.subscribe((ch, v) => seen.push([ch, v]));

    await expect.poll(() => watcher!.status().state).toBe('running');
    expect(watcher.status()).toMatchObject({ version: '9.9.9', apiVersion: '1.51' });
    await expect.poll(() => engine.listening()).toBe(1);

    engine.event({ Type: 'container', Action: 'start', Actor: { ID: 'abc' } });
    engine.event({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'abc' } });
    engine.event({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox:latest' } });
    await expect.poll(() => seen).toContainEqual(['changed', { resource: 'images', action: 'pull', id: 'busybox:latest' }]);
    expect(seen).toContainEqual(['changed', { resource: 'containers', action: 'start', id: 'abc' }]);
    expect(seen).not.toContainEqual(['changed', expect.objectContaining({ action: 'exec_start: sh' })]);

    await engine.stop();
    await expect.poll(() => watcher!.status().state).toBe('stopped');
    expect(watcher.status().hint).toMatch(/Start the engine/);

    seen.length = 0;
    engine = await fakeEngine(socket);
    await expect.poll(() => watcher!.status().state, { timeout: 5_000 }).toBe('running');
    expect(seen).toContainEqual(['changed', { resource: 'containers', action: 'reconnect' }]);
    await engine.stop();
  });

  it('ignores noise and maps unknown kinds to the engine', () => {
    expect(changeOf({ Type: 'container', Action: 'resize' })).toBeUndefined();
    expect(changeOf({ Type: 'daemon', Action: 'reload' })).toEqual({ resource: 'engine', action: 'reload' });
    expect(changeOf({ Type: 'volume', Action: 'create', Actor: { ID: 'v1' } })).toEqual({ resource: 'volumes', action: 'create', id: 'v1' });
  });
});
