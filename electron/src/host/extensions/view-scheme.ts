// The Electron shell's extension views, as plain logic (the shell, src/main/extension-views.ts, only wires it to
// Electron; the Electron binary cannot run on the build machines). Each extension's UI is a <webview> of the
// dashboard with its own session partition and its own origin `berth-extension://<host>`, a host derived from the
// extension's ID. The scheme is answered per partition, by a handler that serves only that extension's files: a page
// naming another extension's host gets nothing from it, and no page reaches the dashboard's file:// origin, its
// preload or its token. The browser-mode twin is ui-server.ts (a loopback port per extension).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { contentType, resolveStatic } from '../ui/static-files.js';
import { devEntryPath, fetchDevSource } from './dev-source.js';
import type { InstalledExtension } from './store.js';
import { frameConfig, injectScripts } from './ui-server.js';

export const EXTENSION_SCHEME = 'berth-extension';

/**
 * For `protocol.registerSchemesAsPrivileged` before the app is ready: standard (an origin per host, so storage and
 * the same-origin policy apply per extension), secure (a secure context, as an https page; ddClient pages use
 * fetch and clipboard), fetch and streaming; no CSP bypass, no service workers.
 */
export const EXTENSION_SCHEME_PRIVILEGES = {
  standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true,
  corsEnabled: false, bypassCSP: false, allowServiceWorkers: false,
} as const;

/** The extension's host name in its origin: stable across restarts (storage is kept per origin), DNS-safe. */
export function viewHost(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 32);
}

export function viewOrigin(id: string): string {
  return `${EXTENSION_SCHEME}://${viewHost(id)}`;
}

/** Its own persistent session: cookies, cache, storage and permissions of no other page. */
export function viewPartition(id: string): string {
  return `persist:${EXTENSION_SCHEME}-${viewHost(id)}`;
}

/** The tab's entry page: under `dev ui-source`, the UI source's own path and query on the extension's origin. */
export function viewUrl(ext: InstalledExtension): string {
  const tab = ext.metadata.ui?.['dashboard-tab'];
  if (!tab) throw new Error(`extension ${ext.id} has no UI tab`);
  if (ext.devUiSource) return `${viewOrigin(ext.id)}${devEntryPath(ext.devUiSource)}`;
  return `${viewOrigin(ext.id)}/${tab.src.replace(/^\.?\/+/, '')}`;
}

/** What the scheme handler answers: a body, or a file to send. */
export interface SchemeResponse {
  status: number;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  file?: string;
}

export interface SchemeContext {
  /** The extension's installed folder (its `ui/` is served). */
  dir: string;
  /** The built ddClient script (dist/extension-client/ddclient.js). */
  clientScript: string;
}

/**
 * Headers of every answer. The view is a top-level page of its own webview, so nothing may frame it; the page may
 * load what it likes otherwise, as in Docker Desktop.
 */
const HEADERS = {
  'Content-Security-Policy': "frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

const text = (status: number, body: string): SchemeResponse => ({ status, headers: { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8' }, body });

/**
 * One request of extension `ext`'s partition. Only its own host is answered; GET and HEAD only; `/__berth/config.js`
 * and `/__berth/ddclient.js` are Berth's (injected first in every HTML page's head, so `window.ddClient` exists
 * before any page script); anything else is a file under its `ui/`, never outside it (resolveStatic clamps `..`,
 * encoded or not), or, under `berth extension dev ui-source`, what the author's dev server answers for the same path
 * (HTML injected likewise), as the loopback origins do in browser mode. The frame config names no dashboard origin:
 * the view talks through its preload.
 */
export async function schemeResponse(ext: InstalledExtension, ctx: SchemeContext, req: { url: string; method: string }): Promise<SchemeResponse> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return text(400, 'bad URL\n');
  }
  if (url.protocol !== `${EXTENSION_SCHEME}:` || url.host !== viewHost(ext.id)) return text(403, 'not this extension\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') return text(405, 'method not allowed\n');
  const js = { ...HEADERS, 'Content-Type': 'text/javascript; charset=utf-8' };
  if (url.pathname === '/__berth/config.js') {
    return { status: 200, headers: js, body: `window.__berthExtension = ${JSON.stringify(frameConfig(ext, ''))};\n` };
  }
  if (url.pathname === '/__berth/ddclient.js') {
    await stat(ctx.clientScript);
    return { status: 200, headers: js, file: ctx.clientScript };
  }
  if (ext.devUiSource) {
    const dev = await fetchDevSource(ext.devUiSource, url, req.method, injectScripts);
    return { status: dev.status, headers: { ...HEADERS, 'Content-Type': dev.type }, ...(req.method === 'HEAD' ? {} : { body: dev.body }) };
  }
  const file = await resolveStatic(path.join(ctx.dir, 'ui'), url.pathname);
  if (!file) return text(404, 'not found\n');
  if (/\.html?$/i.test(file)) {
    const html = injectScripts(await readFile(file, 'utf8'));
    return { status: 200, headers: { ...HEADERS, 'Content-Type': 'text/html; charset=utf-8' }, ...(req.method === 'HEAD' ? {} : { body: html }) };
  }
  return { status: 200, headers: { ...HEADERS, 'Content-Type': contentType(file) }, ...(req.method === 'HEAD' ? {} : { file }) };
}
