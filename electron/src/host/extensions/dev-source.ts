// Developer mode's UI source (`berth extension dev ui-source EXT URL`, Docker Desktop's `docker extension dev
// ui-source`): the tab loads from the author's dev server instead of the installed files. The extension's own
// loopback origin proxies it (GET and HEAD), so the page keeps its origin, its frame rules and Berth's ddClient,
// injected into HTML as for installed pages. WebSocket upgrades are relayed to the dev server too, so its own
// live reload and hot module replacement (vite's, webpack-dev-server's) reach the tab as they would in Docker
// Desktop, which loads the dev server's URL itself: a change the dev server announces reloads or patches the tab.
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

/** The URL on the extension's origin that the tab opens: the UI source's own path and query. */
export function devEntryPath(source: string): string {
  const u = new URL(source);
  return `${u.pathname}${u.search}`;
}

/**
 * What the dev server answers for the page's `url` (its path and query), HTML with Berth's scripts injected; a dev
 * server that cannot be reached is a 502 saying so. Shared by the loopback origins and the Electron scheme.
 */
export async function fetchDevSource(source: string, url: URL, method: string, inject: (html: string) => string): Promise<{ status: number; type: string; body: Buffer<ArrayBuffer> }> {
  const target = new URL(`${url.pathname}${url.search}`, source);
  let upstream: Response;
  try {
    upstream = await fetch(target, { method });
  } catch (e) {
    const why = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    return { status: 502, type: 'text/plain; charset=utf-8', body: Buffer.from(`the extension's UI source ${source} cannot be reached: ${why}\n`) };
  }
  const type = upstream.headers.get('content-type') ?? 'application/octet-stream';
  const body = /^text\/html/i.test(type) ? Buffer.from(inject(await upstream.text())) : Buffer.from(await upstream.arrayBuffer());
  return { status: upstream.status, type, body };
}

export async function proxyDevSource(
  source: string,
  url: URL,
  method: string,
  res: ServerResponse,
  headers: Record<string, string>,
  inject: (html: string) => string,
): Promise<void> {
  const r = await fetchDevSource(source, url, method, inject);
  res.writeHead(r.status, { 'Content-Type': r.type, ...(r.status === 502 ? {} : { 'Cache-Control': 'no-store' }), ...headers });
  res.end(method === 'HEAD' ? undefined : r.body);
}

/**
 * Relays a WebSocket upgrade from the tab to the dev server, byte for byte once the request is sent. The request
 * names the dev server as its Host and Origin, as when the page is loaded from the dev server itself (dev servers
 * refuse other hosts). A dev server that cannot be reached answers 502.
 */
export function relayDevUpgrade(source: string, req: IncomingMessage, socket: Duplex, head: Buffer): Duplex {
  const target = new URL(source);
  const secure = target.protocol === 'https:';
  const port = Number(target.port || (secure ? 443 : 80));
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  const upstream = secure ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect(port, host);
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (lower === 'host') lines.push(`Host: ${target.host}`);
    else if (lower === 'origin') lines.push(`Origin: ${target.origin}`);
    else lines.push(`${name}: ${req.rawHeaders[i + 1]!}`);
  }
  let open = false;
  upstream.once(secure ? 'secureConnect' : 'connect', () => {
    open = true;
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => {
    if (!open && socket.writable) socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  upstream.on('close', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
  socket.on('close', () => upstream.destroy());
  return upstream;
}
