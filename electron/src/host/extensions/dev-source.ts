// Developer mode's UI source (`berth extension dev ui-source EXT URL`, Docker Desktop's `docker extension dev
// ui-source`): the tab loads from the author's dev server instead of the installed files. The extension's own
// loopback origin proxies it (GET and HEAD), so the page keeps its origin, its frame rules and Berth's ddClient,
// injected into HTML as for installed pages. The dev server's hot-reload WebSocket is not proxied: reload the tab
// (leave it and open it again) after a change.
import type { ServerResponse } from 'node:http';

/** The URL on the extension's origin that the tab opens: the UI source's own path and query. */
export function devEntryPath(source: string): string {
  const u = new URL(source);
  return `${u.pathname}${u.search}`;
}

export async function proxyDevSource(
  source: string,
  url: URL,
  method: string,
  res: ServerResponse,
  headers: Record<string, string>,
  inject: (html: string) => string,
): Promise<void> {
  const target = new URL(`${url.pathname}${url.search}`, source);
  let upstream: Response;
  try {
    upstream = await fetch(target, { method });
  } catch (e) {
    const why = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
    res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8', ...headers });
    res.end(`the extension's UI source ${source} cannot be reached: ${why}\n`);
    return;
  }
  const type = upstream.headers.get('content-type') ?? 'application/octet-stream';
  const out = { 'Content-Type': type, 'Cache-Control': 'no-store', ...headers };
  const body = /^text\/html/i.test(type) ? Buffer.from(inject(await upstream.text())) : Buffer.from(await upstream.arrayBuffer());
  res.writeHead(upstream.status, out);
  res.end(method === 'HEAD' ? undefined : body);
}
