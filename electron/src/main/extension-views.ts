// Wires the extension views to Electron; the decisions are host/extensions/view-scheme.ts and view-policy.ts
// (unit-tested). The dashboard shows an extension's UI as a <webview> on `berth-extension://<host>` in the
// extension's own partition; here: the scheme registered as privileged before the app is ready, each partition's
// handler serving only its extension's files, every <webview> checked and given Berth's preferences and the
// extension preload before it attaches, its navigation kept on its origin, links to the user's browser, DevTools
// with the tab under `berth extension dev debug`. Unrun: the Electron binary cannot be fetched on build machines.
import type * as Electron from 'electron';
import { readFile } from 'node:fs/promises';
import type { ExtensionStore } from '../host/extensions/store.js';
import { decideWebview, externalTarget, viewMayNavigate } from '../host/extensions/view-policy.js';
import { EXTENSION_SCHEME, EXTENSION_SCHEME_PRIVILEGES, schemeResponse, viewPartition } from '../host/extensions/view-scheme.js';
import type { ElectronApi } from './electron-api.js';

/** Must run before the app is ready (Electron's rule for privileged schemes). */
export function registerExtensionScheme(e: Pick<ElectronApi, 'protocol'>): void {
  e.protocol.registerSchemesAsPrivileged([{ scheme: EXTENSION_SCHEME, privileges: { ...EXTENSION_SCHEME_PRIVILEGES } }]);
}

export interface ExtensionViewsOptions {
  store: ExtensionStore;
  /** dist/preload/extension.cjs */
  preload: string;
  /** The built ddClient (renderer dist/extension-client/ddclient.js). */
  clientScript: string;
  log(line: string): void;
}

/** Serves extension `id`'s partition: its own files only, read from the store at each request (an update may move them). */
function handlerFor(opts: ExtensionViewsOptions, id: string) {
  return async (request: Request): Promise<Response> => {
    const ext = (await opts.store.read()).extensions[id];
    if (!ext) return new Response('extension not installed\n', { status: 404 });
    const r = await schemeResponse(ext, { dir: opts.store.dirOf(ext), clientScript: opts.clientScript }, { url: request.url, method: request.method });
    const body = r.body ?? (r.file ? await readFile(r.file) : null);
    return new Response(body, { status: r.status, headers: r.headers });
  };
}

export interface ExtensionViews {
  /** Checks and prepares every <webview> this dashboard page attaches. */
  attach(dashboard: Electron.WebContents): void;
  /**
   * A removed extension: its partition's scheme handler goes and its storage (cookies, local storage, IndexedDB,
   * cache) is cleared, so a reinstall starts clean, as in Docker Desktop.
   */
  forget(id: string): Promise<void>;
}

/** The views of every dashboard window: a partition's scheme handler is registered once, whichever window asks. */
export function extensionViews(e: ElectronApi, opts: ExtensionViewsOptions): ExtensionViews {
  const served = new Set<string>();
  // Between will-attach-webview and did-attach-webview: which extension each new guest's partition is.
  const pending = new Map<string, { id: string; debug: boolean }>();
  return {
    attach: (dashboard) => attachTo(e, dashboard, opts, served, pending),
    async forget(id) {
      const partition = viewPartition(id);
      const session = e.session.fromPartition(partition);
      pending.delete(partition);
      if (served.delete(partition)) session.protocol.unhandle(EXTENSION_SCHEME);
      // Also when no view was shown in this run: the partition persists across restarts.
      await session.clearStorageData();
    },
  };
}

/** One dashboard page's views (tests; the shell keeps one `extensionViews` for all its windows). */
export function attachExtensionViews(e: ElectronApi, dashboard: Electron.WebContents, opts: ExtensionViewsOptions): ExtensionViews {
  const views = extensionViews(e, opts);
  views.attach(dashboard);
  return views;
}

function attachTo(
  e: ElectronApi, dashboard: Electron.WebContents, opts: ExtensionViewsOptions,
  served: Set<string>, pending: Map<string, { id: string; debug: boolean }>,
): void {
  dashboard.on('will-attach-webview', (event, webPreferences, params) => {
    let decision: ReturnType<typeof decideWebview>;
    try {
      decision = decideWebview(params, Object.values(opts.store.readSync().extensions), opts.preload);
    } catch (err) {
      decision = { allow: false, reason: (err as Error).message };
    }
    if (!decision.allow) {
      event.preventDefault();
      opts.log(`${new Date().toISOString()} extension view refused: ${decision.reason}\n`);
      return;
    }
    // Whatever the page asked for is replaced by Berth's preferences.
    for (const key of Object.keys(webPreferences)) delete (webPreferences as Record<string, unknown>)[key];
    Object.assign(webPreferences, decision.webPreferences);
    const { partition } = decision.webPreferences;
    if (!served.has(partition)) {
      e.session.fromPartition(partition).protocol.handle(EXTENSION_SCHEME, handlerFor(opts, decision.ext.id));
      served.add(partition);
    }
    pending.set(partition, { id: decision.ext.id, debug: Boolean(decision.ext.devDebug) });
  });

  dashboard.on('did-attach-webview', (_event, guest) => {
    const entry = [...pending].find(([partition]) => e.session.fromPartition(partition) === guest.session);
    if (!entry) {
      guest.close();
      return;
    }
    const [partition, { id, debug }] = entry;
    pending.delete(partition);
    const ext = () => opts.store.readSync().extensions[id];
    guest.on('will-navigate', (event, url) => {
      const current = ext();
      if (current && viewMayNavigate(current, url)) return;
      event.preventDefault();
      const external = externalTarget(url);
      if (external) void e.shell.openExternal(external);
    });
    guest.setWindowOpenHandler(({ url }) => {
      const external = externalTarget(url);
      if (external) void e.shell.openExternal(external);
      return { action: 'deny' };
    });
    if (debug) guest.once('dom-ready', () => guest.openDevTools({ mode: 'detach' }));
  });
}
