// Browser mode: the renderer and the contract over one loopback HTTP server. The WebSocket needs the random
// token from the URL, and every request must name this server in Host (DNS rebinding) and, for the WebSocket,
// come from this origin (no other site can drive the engine through a user's browser).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { createSession } from './session.js';
import { resolveStatic, sendFile } from './static-files.js';
import type { UiHost } from './ui-host.js';

export interface BrowserServerOptions {
  host: UiHost;
  /** The built renderer (renderer/dist). */
  staticDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  token?: string;
}

export interface BrowserServer {
  /** `http://127.0.0.1:PORT/#token=…`: what the user opens. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';

function sameToken(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function csp(port: number): string {
  return [
    "default-src 'self'",
    `connect-src 'self' ws://${LOOPBACK}:${port} ws://localhost:${port}`,
    // Extension UIs: each on its own loopback port (host/extensions/ui-server.ts), never this origin.
    `frame-src http://${LOOPBACK}:*`,
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startBrowserServer(opts: BrowserServerOptions): Promise<BrowserServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const allowedHosts = () => new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);
  const hostOk = (req: IncomingMessage) => allowedHosts().has(req.headers.host ?? '');

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (!hostOk(req)) { res.writeHead(403, { 'Content-Type': 'text/plain' }).end('forbidden host\n'); return; }
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
    void resolveStatic(opts.staticDir, req.url ?? '/').then((file) => {
      if (!file) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found (is the renderer built? npm run build -w renderer)\n');
        return;
      }
      sendFile(res, file, { 'Content-Security-Policy': csp(port), 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    });
  });

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${LOOPBACK}`);
    const origin = req.headers.origin;
    const originOk = origin !== undefined && allowedHosts().has(origin.replace(/^http:\/\//, '')) && origin.startsWith('http://');
    if (url.pathname !== '/ws' || !hostOk(req) || !originOk || !sameToken(url.searchParams.get('token'), token)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const session = createSession(opts.host, (msg) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    });
    ws.on('message', (data) => {
      try {
        session.receive(JSON.parse(String(data)));
      } catch {
        // Not JSON: nothing of ours sent it.
      }
    });
    ws.on('close', () => session.close());
    ws.on('error', () => session.close());
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, LOOPBACK, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  opts.host.extensions?.ui.configure({
    dashboardOrigin: `http://${LOOPBACK}:${port}`,
    clientScript: path.join(opts.staticDir, 'extension-client', 'ddclient.js'),
  });
  return {
    url: `http://${LOOPBACK}:${port}/#token=${token}`,
    port,
    token,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
