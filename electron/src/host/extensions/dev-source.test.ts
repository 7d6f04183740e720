// Developer mode's UI source through an extension's loopback origin: the tab's page and assets come from the
// author's dev server with Berth's scripts injected; reset serves the installed files again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { ExtensionStore, type InstalledExtension } from './store.js';
import { ExtensionUiServers } from './ui-server.js';

const INJECTED = '<script src="/__berth/config.js"></script><script src="/__berth/ddclient.js"></script>';

describe('extension dev ui-source', () => {
  let home: string;
  let dev: Server;
  let devUrl: string;
  let store: ExtensionStore;
  let servers: ExtensionUiServers;
  /** The dev server's live-reload socket, as vite's and webpack's: what it saw of each upgrade. */
  let live: WebSocketServer;
  const upgrades: { host?: string; origin?: string; url?: string }[] = [];
  const dashboardOrigin = 'http://127.0.0.1:1';

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'berth-dev-src-'));
    dev = createServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><head><script type="module" src="/src/main.js"></script></head></html>');
      else if (req.url === '/src/main.js?v=1') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end('console.log("dev")');
      else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('nope');
    });
    live = new WebSocketServer({ server: dev });
    live.on('connection', (ws, req) => {
      upgrades.push({ host: req.headers.host, origin: req.headers.origin, url: req.url });
      ws.send('{"type":"connected"}');
      ws.on('message', (m) => ws.send(`echo ${String(m)}`));
    });
    await new Promise<void>((r) => dev.listen(0, '127.0.0.1', r));
    devUrl = `http://127.0.0.1:${(dev.address() as AddressInfo).port}/`;
    store = new ExtensionStore(home);
    const ext: InstalledExtension = {
      id: 'acme/dev-ext', image: 'acme/dev-ext:1', version: '1', title: 'Dev', vendor: 'Acme', description: '', labels: {},
      metadata: { ui: { 'dashboard-tab': { title: 'Dev', root: '/ui', src: 'index.html' } } }, dir: 'acme_dev-ext', hostBinaries: [],
      installedAt: new Date(0).toISOString(), devUiSource: devUrl,
    };
    await store.update((s) => { s.extensions[ext.id] = ext; });
    await mkdir(path.join(store.dirOf(ext), 'ui'), { recursive: true });
    await writeFile(path.join(store.dirOf(ext), 'ui', 'index.html'), '<html><head></head><body>installed</body></html>');
    const client = path.join(home, 'ddclient.js');
    await writeFile(client, 'window.ddClient = {};');
    servers = new ExtensionUiServers(store);
    servers.configure({ dashboardOrigin, clientScript: client });
  });
  afterAll(async () => {
    await servers.closeAll();
    live.close();
    await new Promise((r) => dev.close(r));
    await rm(home, { recursive: true, force: true });
  });

  const ext = async () => (await store.read()).extensions['acme/dev-ext']!;

  it('opens the tab on the dev server\'s page through the extension\'s own origin, ddClient injected first', async () => {
    const { url, origin } = await servers.open(await ext());
    expect(url).toBe(`${origin}/`);
    const page = await fetch(url);
    expect(page.headers.get('content-security-policy')).toBe(`frame-ancestors ${dashboardOrigin}`);
    expect(await page.text()).toBe(`<!doctype html><html><head>${INJECTED}<script type="module" src="/src/main.js"></script></head></html>`);
    const asset = await fetch(`${origin}/src/main.js?v=1`);
    expect([asset.status, asset.headers.get('content-type'), await asset.text()]).toEqual([200, 'text/javascript', 'console.log("dev")']);
    expect((await fetch(`${origin}/missing`)).status).toBe(404);
    expect(await (await fetch(`${origin}/__berth/ddclient.js`)).text()).toBe('window.ddClient = {};');
  });

  /** Opens a WebSocket to the extension's origin; resolves with the first message, or rejects with the refusal. */
  const wsFirstMessage = (url: string, origin: string) => new Promise<{ ws: WebSocket; first: string }>((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('message', (m) => resolve({ ws, first: String(m) }));
    ws.once('error', reject);
  });

  it('relays the dev server\'s live-reload WebSocket from the extension\'s own page, as the dev server\'s own origin', async () => {
    const { origin } = await servers.open(await ext());
    const { ws, first } = await wsFirstMessage(`${origin.replace('http:', 'ws:')}/?token=abc`, origin);
    expect(first).toBe('{"type":"connected"}');
    const echoed = new Promise<string>((r) => ws.once('message', (m) => r(String(m))));
    ws.send('ping');
    expect(await echoed).toBe('echo ping');
    ws.close();
    expect(upgrades.at(-1)).toEqual({ host: new URL(devUrl).host, origin: new URL(devUrl).origin, url: '/?token=abc' });
    // Another page (another origin) gets nothing.
    await expect(wsFirstMessage(`${origin.replace('http:', 'ws:')}/`, 'http://127.0.0.1:9')).rejects.toThrow(/403/);
    expect(upgrades).toHaveLength(1);
  });

  it('says so when the dev server is down, and serves the installed files again after reset', async () => {
    const { origin } = await servers.open(await ext());
    // A port nothing listens on: taken, then given back.
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((r) => gone.close(r));
    await store.update((s) => { s.extensions['acme/dev-ext']!.devUiSource = `http://127.0.0.1:${port}/`; });
    const down = await fetch(`${origin}/`);
    expect(down.status).toBe(502);
    expect(await down.text()).toBe(`the extension's UI source http://127.0.0.1:${port}/ cannot be reached: connect ECONNREFUSED 127.0.0.1:${port}\n`);
    await store.update((s) => { delete s.extensions['acme/dev-ext']!.devUiSource; });
    const { url } = await servers.open(await ext());
    expect(url).toBe(`${origin}/index.html`);
    expect(await (await fetch(url)).text()).toBe(`<html><head>${INJECTED}</head><body>installed</body></html>`);
    // Without a UI source there is nothing to relay a WebSocket to.
    await expect(wsFirstMessage(`${origin.replace('http:', 'ws:')}/`, origin)).rejects.toThrow(/403/);
  });
});
