// The shell's extension-view wiring against a stand-in Electron (the binary cannot run here): what it registers,
// which <webview>s it lets attach and with what preferences, what each partition's scheme handler serves, and how a
// guest's navigation, pop-ups and DevTools are handled.
import { EventEmitter } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExtensionStore, type InstalledExtension } from '../host/extensions/store.js';
import { viewOrigin, viewPartition, viewUrl } from '../host/extensions/view-scheme.js';
import type { ElectronApi } from './electron-api.js';
import { FakeWebContents } from './electron-stand-in.test-helper.js';
import { attachExtensionViews, registerExtensionScheme } from './extension-views.js';

type Handler = (r: { url: string; method: string }) => Promise<Response>;

function fakeElectron() {
  type FakeSession = { partition: string; handlers: Map<string, Handler>; cleared: number; protocol: { handle(s: string, h: Handler): void; unhandle(s: string): void }; clearStorageData(): Promise<void> };
  const sessions = new Map<string, FakeSession>();
  const privileged: unknown[] = [];
  const opened: string[] = [];
  const fromPartition = (partition: string) => {
    let s = sessions.get(partition);
    if (!s) {
      const handlers = new Map<string, Handler>();
      s = {
        partition, handlers, cleared: 0,
        protocol: {
          // Electron throws on a second handler for the same scheme in one session.
          handle: (scheme: string, h: Handler) => { if (handlers.has(scheme)) throw new Error(`${scheme} already handled`); handlers.set(scheme, h); },
          unhandle: (scheme: string) => void handlers.delete(scheme),
        },
        async clearStorageData() { this.cleared++; },
      };
      sessions.set(partition, s);
    }
    return s;
  };
  const e = {
    protocol: { registerSchemesAsPrivileged: (s: unknown[]) => void privileged.push(...s) },
    session: { fromPartition },
    shell: { openExternal: async (u: string) => void opened.push(u) },
  } as unknown as ElectronApi;
  return { e, sessions, privileged, opened, fromPartition };
}

class FakeGuest extends FakeWebContents {
  devTools: unknown[] = [];
  closed = false;
  constructor(readonly session: unknown) { super(); }
  openDevTools(o: unknown) { this.devTools.push(o); }
  close() { this.closed = true; }
}

function ext(id: string, extra: Partial<InstalledExtension> = {}): InstalledExtension {
  return {
    id, image: `${id}:1.0.0`, version: '1.0.0', title: id, vendor: 'v', description: '', labels: {}, dir: id.replace(/\//g, '_'),
    metadata: { ui: { 'dashboard-tab': { title: id, root: '/ui', src: 'index.html' } } }, hostBinaries: [], installedAt: '', ...extra,
  } as InstalledExtension;
}

describe('the shell\'s extension views', () => {
  let home: string;
  let store: ExtensionStore;
  const logs: string[] = [];
  const one = ext('acme/one', { devDebug: true });
  const two = ext('acme/two');

  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'berth-views-'));
    store = new ExtensionStore(home);
    await store.write({ enabled: true, extensions: { [one.id]: one, [two.id]: two } });
    await mkdir(path.join(store.dirOf(one), 'ui'), { recursive: true });
    await writeFile(path.join(store.dirOf(one), 'ui', 'index.html'), '<html><head></head><body>one</body></html>');
    await writeFile(path.join(home, 'ddclient.js'), 'window.ddClient={}');
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  const setUp = () => {
    const f = fakeElectron();
    const dashboard = new FakeWebContents();
    const views = attachExtensionViews(f.e, dashboard as never, { store, preload: '/app/preload/extension.cjs', clientScript: path.join(home, 'ddclient.js'), log: (l) => logs.push(l) });
    const attach = (params: { src?: string; partition?: string }) => {
      const prefs: Record<string, unknown> = { nodeIntegration: true, preload: '/evil.js', webSecurity: false };
      let prevented = false;
      dashboard.emit('will-attach-webview', { preventDefault: () => { prevented = true; } }, prefs, params);
      return { prefs, prevented };
    };
    return { f, dashboard, attach, views };
  };

  it('registers one privileged, secure, standard scheme', () => {
    const f = fakeElectron();
    registerExtensionScheme(f.e);
    expect(f.privileged).toEqual([{ scheme: 'berth-extension', privileges: expect.objectContaining({ standard: true, secure: true, bypassCSP: false }) }]);
  });

  it('lets an extension\'s own view attach with Berth\'s preferences only, and serves its partition its files', async () => {
    const { f, attach } = setUp();
    const { prefs, prevented } = attach({ src: viewUrl(one), partition: viewPartition(one.id) });
    expect(prevented).toBe(false);
    expect(prefs).toEqual(expect.objectContaining({ preload: '/app/preload/extension.cjs', partition: viewPartition(one.id), sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true }));
    const handler = f.sessions.get(viewPartition(one.id))!.handlers.get('berth-extension')!;
    const page = await handler({ url: `${viewOrigin(one.id)}/index.html`, method: 'GET' });
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<html><head><script src="/__berth/config.js"></script><script src="/__berth/ddclient.js"></script></head><body>one</body></html>');
    expect(await (await handler({ url: `${viewOrigin(one.id)}/__berth/ddclient.js`, method: 'GET' })).text()).toBe('window.ddClient={}');
    // The partition's handler is its extension's only: another extension's host gets nothing.
    expect((await handler({ url: `${viewOrigin(two.id)}/index.html`, method: 'GET' })).status).toBe(403);
  });

  it('refuses a view in another extension\'s partition, a foreign URL and an extension no longer installed', async () => {
    const { f, attach } = setUp();
    expect(attach({ src: viewUrl(one), partition: viewPartition(two.id) }).prevented).toBe(true);
    expect(attach({ src: 'https://example.com/', partition: viewPartition(one.id) }).prevented).toBe(true);
    expect(attach({ src: `${viewOrigin('gone/away')}/index.html`, partition: viewPartition('gone/away') }).prevented).toBe(true);
    expect(f.sessions.size).toBe(0);
    expect(logs.join('')).toContain('extension view refused');
  });

  it('keeps a guest on its origin, sends http(s) links to the browser, and opens DevTools under dev debug', () => {
    const { f, dashboard, attach } = setUp();
    attach({ src: viewUrl(one), partition: viewPartition(one.id) });
    const guest = new FakeGuest(f.fromPartition(viewPartition(one.id)));
    dashboard.emit('did-attach-webview', {}, guest);
    const navigate = (url: string) => { let prevented = false; guest.emit('will-navigate', { preventDefault: () => { prevented = true; } }, url); return prevented; };
    expect(navigate(`${viewOrigin(one.id)}/other.html`)).toBe(false);
    expect(navigate(`${viewOrigin(two.id)}/index.html`)).toBe(true);
    expect(navigate('https://docs.docker.com/')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(f.opened).toEqual(['https://docs.docker.com/']);
    expect(guest.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(f.opened).toEqual(['https://docs.docker.com/', 'https://example.com/']);
    guest.emit('dom-ready');
    expect(guest.devTools).toEqual([{ mode: 'detach' }]);

    // A guest nobody let attach is closed.
    const stray = new FakeGuest(new EventEmitter());
    dashboard.emit('did-attach-webview', {}, stray);
    expect(stray.closed).toBe(true);
  });

  it('clears a removed extension\'s partition and drops its handler, so a reinstall starts clean', async () => {
    const { f, attach, views } = setUp();
    attach({ src: viewUrl(one), partition: viewPartition(one.id) });
    const session = f.sessions.get(viewPartition(one.id))!;
    expect(session.handlers.has('berth-extension')).toBe(true);
    await views.forget(one.id);
    expect(session.handlers.has('berth-extension')).toBe(false);
    expect(session.cleared).toBe(1);
    // Installed again: its view attaches and is served again.
    expect(attach({ src: viewUrl(one), partition: viewPartition(one.id) }).prevented).toBe(false);
    expect((await session.handlers.get('berth-extension')!({ url: `${viewOrigin(one.id)}/index.html`, method: 'GET' })).status).toBe(200);
    // A partition left from an earlier run (no view shown in this one) is cleared too.
    await views.forget(two.id);
    expect(f.sessions.get(viewPartition(two.id))!.cleared).toBe(1);
  });

  it('serves the dev server\'s page under dev ui-source, read from the store at each request', async () => {
    const dev = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><head></head><body>dev</body></html>'));
    await new Promise<void>((r) => dev.listen(0, '127.0.0.1', r));
    try {
      const { f, attach } = setUp();
      attach({ src: viewUrl(one), partition: viewPartition(one.id) });
      const handler = f.sessions.get(viewPartition(one.id))!.handlers.get('berth-extension')!;
      await store.update((s) => { s.extensions[one.id]!.devUiSource = `http://127.0.0.1:${(dev.address() as AddressInfo).port}/`; });
      expect(await (await handler({ url: `${viewOrigin(one.id)}/`, method: 'GET' })).text())
        .toBe('<html><head><script src="/__berth/config.js"></script><script src="/__berth/ddclient.js"></script></head><body>dev</body></html>');
    } finally {
      await new Promise((r) => dev.close(r));
    }
  });
});
