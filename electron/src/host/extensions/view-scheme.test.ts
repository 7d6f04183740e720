// The Electron shell's extension views, without Electron: origins, partitions, what the scheme serves and what a
// <webview> may be.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstalledExtension } from './store.js';
import { decideWebview, externalTarget, extensionOfUrl, viewMayNavigate } from './view-policy.js';
import { schemeResponse, viewHost, viewOrigin, viewPartition, viewUrl, type SchemeContext } from './view-scheme.js';

function installed(id: string, extra: Partial<InstalledExtension> = {}): InstalledExtension {
  return {
    id, image: `${id}:1.0.0`, version: '1.0.0', title: id, vendor: 'v', description: '', labels: {}, dir: id.replace(/[^A-Za-z0-9._-]/g, '_'),
    metadata: { ui: { 'dashboard-tab': { title: id, root: '/ui', src: 'index.html' } } }, hostBinaries: [], installedAt: '', ...extra,
  } as InstalledExtension;
}

describe('extension view origins and partitions', () => {
  it('gives each extension its own stable origin and persistent partition', () => {
    const a = installed('acme/one');
    const b = installed('acme/two');
    expect(viewHost(a.id)).toMatch(/^[0-9a-f]{32}$/);
    expect(viewOrigin(a.id)).toBe(`berth-extension://${viewHost(a.id)}`);
    expect(viewOrigin(a.id)).toBe(viewOrigin('acme/one'));
    expect(viewOrigin(a.id)).not.toBe(viewOrigin(b.id));
    expect(viewPartition(a.id)).toBe(`persist:berth-extension-${viewHost(a.id)}`);
    expect(viewPartition(a.id)).not.toBe(viewPartition(b.id));
    expect(viewUrl(a)).toBe(`${viewOrigin(a.id)}/index.html`);
    expect(viewUrl(installed('x/y', { metadata: { ui: { 'dashboard-tab': { title: 'y', root: '/ui', src: './app/main.html' } } } } as Partial<InstalledExtension>)))
      .toBe(`${viewOrigin('x/y')}/app/main.html`);
  });
});

describe('the extension scheme', () => {
  let work: string;
  let ctx: SchemeContext;
  const ext = installed('acme/one');
  const get = (p: string, method = 'GET') => schemeResponse(ext, ctx, { url: `${viewOrigin(ext.id)}${p}`, method });

  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'berth-view-'));
    const dir = path.join(work, 'ext');
    await mkdir(path.join(dir, 'ui', 'assets'), { recursive: true });
    await writeFile(path.join(dir, 'ui', 'index.html'), '<!doctype html><html><head><script src="app.js"></script></head></html>');
    await writeFile(path.join(dir, 'ui', 'assets', 'app.js'), 'go()');
    await writeFile(path.join(dir, 'secret.txt'), 'outside ui');
    await writeFile(path.join(work, 'ddclient.js'), 'window.ddClient = {}');
    await symlink('index.html', path.join(dir, 'ui', 'alias.html'));
    ctx = { dir, clientScript: path.join(work, 'ddclient.js') };
  });
  afterAll(() => rm(work, { recursive: true, force: true }));

  it('serves the UI\'s pages with Berth\'s config and ddClient first in <head>', async () => {
    const page = await get('/index.html');
    expect(page.status).toBe(200);
    expect(page.body).toBe('<!doctype html><html><head><script src="/__berth/config.js"></script><script src="/__berth/ddclient.js"></script><script src="app.js"></script></head></html>');
    expect(page.headers).toMatchObject({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "frame-ancestors 'none'", 'Referrer-Policy': 'no-referrer' });
    expect((await get('/alias.html')).body).toContain('/__berth/ddclient.js');
    expect(await get('/assets/app.js')).toMatchObject({ status: 200, file: path.join(ctx.dir, 'ui', 'assets', 'app.js'), headers: { 'Content-Type': 'text/javascript; charset=utf-8' } });
    expect(await get('/__berth/ddclient.js')).toMatchObject({ status: 200, file: ctx.clientScript });
    const config = String((await get('/__berth/config.js')).body ?? '');
    expect(JSON.parse(config.replace(/^window\.__berthExtension = /, '').replace(/;\n$/, ''))).toMatchObject({ image: 'acme/one:1.0.0', dashboardOrigin: '' });
    const head = await get('/index.html', 'HEAD');
    expect([head.status, head.body]).toEqual([200, undefined]);
  });

  it('never serves a file outside the UI folder, however the path is spelt', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd']) {
      const r = await get(p);
      expect(r.file ?? '', p).not.toMatch(/secret|passwd/);
      expect(r.body ?? '', p).not.toMatch(/outside ui|root:/);
    }
    expect((await get('/missing.js')).status).toBe(404);
  });

  it('answers only its own extension\'s host, and only GET and HEAD', async () => {
    expect((await schemeResponse(ext, ctx, { url: `${viewOrigin('acme/two')}/index.html`, method: 'GET' })).status).toBe(403);
    expect((await schemeResponse(ext, ctx, { url: `https://${viewHost(ext.id)}/index.html`, method: 'GET' })).status).toBe(403);
    expect((await get('/index.html', 'POST')).status).toBe(405);
  });
});

describe('which <webview> the dashboard may attach', () => {
  const a = installed('acme/one');
  const list = [a, installed('acme/two'), installed('acme/headless', { metadata: { vm: { image: 'x' } } } as Partial<InstalledExtension>)];

  it('allows an installed extension\'s own origin in its own partition, with Berth\'s preferences', () => {
    const d = decideWebview({ src: viewUrl(a), partition: viewPartition(a.id) }, list, '/app/preload/extension.cjs');
    expect(d).toMatchObject({
      allow: true,
      ext: { id: 'acme/one' },
      webPreferences: {
        preload: '/app/preload/extension.cjs', partition: viewPartition(a.id), sandbox: true, contextIsolation: true,
        nodeIntegration: false, nodeIntegrationInSubFrames: false, webSecurity: true,
      },
    });
  });

  it('refuses another partition, another origin, an extension without UI and anything else', () => {
    expect(decideWebview({ src: viewUrl(a), partition: viewPartition('acme/two') }, list, 'p')).toMatchObject({ allow: false });
    expect(decideWebview({ src: viewUrl(a) }, list, 'p')).toMatchObject({ allow: false });
    expect(decideWebview({ src: `${viewOrigin('acme/headless')}/index.html`, partition: viewPartition('acme/headless') }, list, 'p')).toMatchObject({ allow: false });
    expect(decideWebview({ src: `${viewOrigin('not/installed')}/`, partition: viewPartition('not/installed') }, list, 'p')).toMatchObject({ allow: false });
    expect(decideWebview({ src: 'file:///app/renderer/index.html', partition: viewPartition(a.id) }, list, 'p')).toMatchObject({ allow: false });
    expect(decideWebview({}, list, 'p')).toMatchObject({ allow: false });
    expect(extensionOfUrl('not a url', list)).toBeUndefined();
  });

  it('keeps a view on its own origin and sends http(s) links to the browser', () => {
    expect(viewMayNavigate(a, `${viewOrigin(a.id)}/other.html#x`)).toBe(true);
    expect(viewMayNavigate(a, `${viewOrigin('acme/two')}/index.html`)).toBe(false);
    expect(viewMayNavigate(a, 'https://example.com/')).toBe(false);
    expect(externalTarget('https://docs.docker.com/')).toBe('https://docs.docker.com/');
    expect(externalTarget('file:///etc/passwd')).toBeUndefined();
    expect(externalTarget('javascript:alert(1)')).toBeUndefined();
  });
});

describe('the extension scheme under dev ui-source', () => {
  let dev: Server;
  let source: string;
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(path.join(os.tmpdir(), 'berth-view-dev-'));
    await mkdir(path.join(work, 'ext', 'ui'), { recursive: true });
    await writeFile(path.join(work, 'ext', 'ui', 'index.html'), '<html><head></head><body>installed</body></html>');
    // The author's dev server, on loopback.
    dev = createServer((req, res) => {
      if (req.url === '/app/?x=1') res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><head><script type="module" src="/src/main.js"></script></head><body>dev</body></html>');
      else if (req.url === '/src/main.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end('console.log("dev")');
      else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('nope');
    });
    await new Promise<void>((r) => dev.listen(0, '127.0.0.1', r));
    source = `http://127.0.0.1:${(dev.address() as AddressInfo).port}/app/?x=1`;
  });
  afterAll(async () => {
    await new Promise((r) => dev.close(r));
    await rm(work, { recursive: true, force: true });
  });

  it('opens the dev server\'s page on the extension\'s own origin, with Berth\'s scripts injected, and its assets', async () => {
    const ext = installed('acme/dev', { devUiSource: source });
    const ctx = { dir: path.join(work, 'ext'), clientScript: path.join(work, 'ddclient.js') };
    expect(viewUrl(ext)).toBe(`${viewOrigin(ext.id)}/app/?x=1`);
    const get = (p: string) => schemeResponse(ext, ctx, { url: `${viewOrigin(ext.id)}${p}`, method: 'GET' });
    const page = await get('/app/?x=1');
    expect(page.status).toBe(200);
    expect(Buffer.from(page.body as Uint8Array).toString()).toBe('<html><head><script src="/__berth/config.js"></script><script src="/__berth/ddclient.js"></script><script type="module" src="/src/main.js"></script></head><body>dev</body></html>');
    expect(page.headers).toMatchObject({ 'Content-Type': 'text/html', 'Content-Security-Policy': "frame-ancestors 'none'" });
    const js = await get('/src/main.js');
    expect([js.status, Buffer.from(js.body as Uint8Array).toString(), js.headers['Content-Type']]).toEqual([200, 'console.log("dev")', 'text/javascript']);
    // Another extension's host still gets nothing, even through the dev server.
    expect((await schemeResponse(ext, ctx, { url: `${viewOrigin('acme/other')}/app/?x=1`, method: 'GET' })).status).toBe(403);
    // A dev server that went away says so; with the UI source reset, the installed files are served again.
    const gone = installed('acme/dev', { devUiSource: 'http://127.0.0.1:1/' });
    const down = await schemeResponse(gone, ctx, { url: `${viewOrigin(gone.id)}/`, method: 'GET' });
    expect(down.status).toBe(502);
    expect(Buffer.from(down.body as Uint8Array).toString()).toContain('cannot be reached');
    const reset = installed('acme/dev');
    expect(viewUrl(reset)).toBe(`${viewOrigin(reset.id)}/index.html`);
    expect((await schemeResponse(reset, ctx, { url: `${viewOrigin(reset.id)}/index.html`, method: 'GET' })).body).toContain('installed');
  });
});
