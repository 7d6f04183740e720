// Browser mode: each extension's UI is served from its own loopback origin (its own port), so it shares no
// origin, storage or DOM with the dashboard or with another extension, and never sees the dashboard's token.
// Every HTML page gets two scripts injected first in <head>, before any script of the page's own: the frame's
// config and Berth's ddClient (renderer/src/extension-client, built to dist/extension-client/ddclient.js).
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import type { FrameConfig } from '../../shared/extension-bridge.js';
import { resolveStatic, sendFile } from '../ui/static-files.js';
import { devEntryPath, proxyDevSource, relayDevUpgrade } from './dev-source.js';
import type { ExtensionStore, InstalledExtension } from './store.js';

const LOOPBACK = '127.0.0.1';
const INJECT = '<script src="/__berth/config.js"></script><script src="/__berth/ddclient.js"></script>';

export interface UiServerSettings {
  /** The dashboard's origin: the only page allowed to frame an extension, and the only one a frame talks to. */
  dashboardOrigin: string;
  /** The built ddClient script. */
  clientScript: string;
}

/** Puts Berth's scripts first in the document's head (or first in the document when it has none). */
export function injectScripts(html: string): string {
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + INJECT + html.slice(head.index + head[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  const at = doctype ? doctype[0].length : 0;
  return html.slice(0, at) + INJECT + html.slice(at);
}

export function frameConfig(ext: InstalledExtension, dashboardOrigin: string): FrameConfig {
  return {
    dashboardOrigin,
    image: ext.image,
    platform: process.platform,
    arch: process.arch,
    hostname: os.hostname(),
    hasBackend: Boolean(ext.composeProject),
    hasVmService: Boolean(ext.metadata.vm?.exposes?.socket ?? ext.metadata.ui?.['dashboard-tab']?.backend?.socket),
    hasHostBinaries: ext.hostBinaries.length > 0,
  };
}

interface Running {
  server: Server;
  origin: string;
  /** WebSockets relayed to a dev server (the http server no longer tracks an upgraded socket). */
  upgraded: Set<Duplex>;
}

export class ExtensionUiServers {
  private settings: UiServerSettings | undefined;
  private readonly running = new Map<string, Promise<Running>>();

  constructor(private readonly store: ExtensionStore) {}

  configure(settings: UiServerSettings): void {
    this.settings = settings;
  }

  get available(): boolean {
    return this.settings !== undefined;
  }

  /** The extension's UI URL, starting its server on first use. */
  async open(ext: InstalledExtension): Promise<{ url: string; origin: string }> {
    const tab = ext.metadata.ui?.['dashboard-tab'];
    if (!tab) throw new Error(`extension ${ext.id} has no UI tab`);
    let r = this.running.get(ext.id);
    if (!r) {
      r = this.start(ext.id);
      this.running.set(ext.id, r);
      r.catch(() => this.running.delete(ext.id));
    }
    const { origin } = await r;
    if (ext.devUiSource) return { url: `${origin}${devEntryPath(ext.devUiSource)}`, origin };
    return { url: `${origin}/${tab.src.replace(/^\.?\/+/, '')}`, origin };
  }

  /** Stops an extension's server (on remove). */
  async stop(id: string): Promise<void> {
    const r = this.running.get(id);
    this.running.delete(id);
    if (r) {
      const { server, upgraded } = await r;
      for (const s of upgraded) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.stop(id)));
  }

  private async start(id: string): Promise<Running> {
    let origin = '';
    const server = createServer((req, res) => {
      void this.serve(id, origin, req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('internal error\n');
      });
    });
    const upgraded = new Set<Duplex>();
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      void this.upgrade(id, origin, req, socket, head).then((relayed) => {
        if (!relayed) return;
        upgraded.add(socket);
        socket.once('close', () => upgraded.delete(socket));
      }, () => socket.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, LOOPBACK, () => resolve());
    });
    origin = `http://${LOOPBACK}:${(server.address() as AddressInfo).port}`;
    return { server, origin, upgraded };
  }

  /** A WebSocket from the extension's own page, relayed to its dev server (developer mode only). */
  private async upgrade(id: string, origin: string, req: IncomingMessage, socket: Socket, head: Buffer): Promise<boolean> {
    const ext = (await this.store.read()).extensions[id];
    if (`http://${req.headers.host ?? ''}` !== origin || req.headers.origin !== origin || !ext?.devUiSource) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return false;
    }
    relayDevUpgrade(ext.devUiSource, req, socket, head);
    return true;
  }

  private async serve(id: string, origin: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    // DNS rebinding: only this origin's own name.
    if (`http://${req.headers.host ?? ''}` !== origin) { res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden host\n'); return; }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
    const settings = this.settings;
    const ext = (await this.store.read()).extensions[id];
    if (!settings || !ext) { res.writeHead(404, { 'Content-Type': 'text/plain' }).end('extension not installed\n'); return; }
    const headers = {
      // Framed only by the dashboard; the page itself may load what it likes, as in Docker Desktop.
      'Content-Security-Policy': `frame-ancestors ${settings.dashboardOrigin}`,
      'Referrer-Policy': 'no-referrer',
    };
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname === '/__berth/config.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
      res.end(`window.__berthExtension = ${JSON.stringify(frameConfig(ext, settings.dashboardOrigin))};\n`);
      return;
    }
    if (url.pathname === '/__berth/ddclient.js') {
      await stat(settings.clientScript);
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
      createReadStream(settings.clientScript).pipe(res);
      return;
    }
    if (ext.devUiSource) {
      await proxyDevSource(ext.devUiSource, url, req.method, res, headers, injectScripts);
      return;
    }
    const root = path.join(this.store.dirOf(ext), 'ui');
    const file = await resolveStatic(root, url.pathname);
    if (!file) { res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n'); return; }
    if (/\.html?$/i.test(file)) {
      const html = injectScripts(await readFile(file, 'utf8'));
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : html);
      return;
    }
    sendFile(res, file, headers);
  }
}
