// Developer mode's UI source through an extension's loopback origin: the tab's page and assets come from the
// author's dev server with Berth's scripts injected; reset serves the installed files again.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExtensionStore, type InstalledExtension } from './store.js';
import { ExtensionUiServers } from './ui-server.js';

const INJECTED = '<script src="/__berth/config.js"></script><script src="/__berth/ddclient.js"></script>';

describe('extension dev ui-source', () => {
  let home: string;
  let dev: Server;
  let devUrl: string;
  let store: ExtensionStore;
  let servers: ExtensionUiServers;
  const dashboardOrigin = 'http://127.0.0.1:1';

  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'berth-dev-src-'));
    dev = createServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><html><head><script type="module" src="/src/main.js"></script></head></html>');
      else if (req.url === '/src/main.js?v=1') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end('console.log("dev")');
      else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('nope');
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
  });
});
