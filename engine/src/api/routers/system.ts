import type { Router, RequestContext } from '../router.js';
import { sendJson } from '../respond.js';

/** What the system routes need from the daemon; the daemon's composition root provides it. */
export interface SystemBackend {
  version(): Record<string, unknown>;
  info(): Promise<Record<string, unknown>>;
}

function ping(ctx: RequestContext): void {
  const headers = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Builder-Version': '2',
    'Docker-Experimental': 'false',
    Swarm: 'inactive',
  };
  if (ctx.method === 'HEAD') {
    ctx.res.writeHead(200, { ...headers, 'Content-Length': '0' });
    ctx.res.end();
    return;
  }
  ctx.res.writeHead(200, { ...headers, 'Content-Length': '2' });
  ctx.res.end('OK');
}

export function registerSystemRoutes(router: Router, backend: SystemBackend): void {
  router.get('/_ping', ping);
  router.head('/_ping', ping);
  router.get('/version', (ctx) => sendJson(ctx, 200, backend.version()));
  router.get('/info', async (ctx) => sendJson(ctx, 200, await backend.info()));
}
