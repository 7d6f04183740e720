// Serves the built renderer (renderer/dist) to the browser: files only from inside that folder.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The file for a URL path, or undefined; never a path outside `root`. SPA paths fall back to index.html. */
export async function resolveStatic(root: string, urlPath: string): Promise<string | undefined> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  const full = path.resolve(root, `.${path.posix.normalize(`/${rel}`)}`);
  if (full !== root && !full.startsWith(root + path.sep)) return undefined;
  const st = await stat(full).catch(() => undefined);
  if (st?.isFile()) return full;
  if (path.extname(rel)) return undefined;
  const index = path.join(root, 'index.html');
  return (await stat(index).catch(() => undefined))?.isFile() ? index : undefined;
}

/** The Content-Type a file is served with. */
export function contentType(file: string): string {
  return TYPES[path.extname(file)] ?? 'application/octet-stream';
}

export function sendFile(res: ServerResponse, file: string, headers: Record<string, string>): void {
  const type = contentType(file);
  // Vite puts a content hash in asset names, so they can be cached for good; index.html never.
  const cache = file.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-store';
  res.writeHead(200, { 'Content-Type': type, 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff', ...headers });
  createReadStream(file).pipe(res);
}
