import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request to berthd's socket, the body read whole (for checking exact stream framing). */
export function api(socket: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, method, path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** The JSON progress messages of a stream body, checking each ends with `\r\n` as dockerd frames them. */
export function messages(body: Buffer): Record<string, unknown>[] {
  const text = body.toString('utf8');
  if (text !== '' && !text.endsWith('\r\n')) throw new Error(`stream does not end with \\r\\n: ${JSON.stringify(text.slice(-40))}`);
  return text
    .split('\r\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Mounts the image's snapshots read-only as overlayfs would for a container and runs `check` on the merged tree. */
export async function withMergedView<T>(lowerBaseFirst: string[], check: (root: string) => T | Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'merged-'));
  const lower = [...lowerBaseFirst].reverse().join(':');
  // A single lower dir is not a valid read-only overlay; add an empty one on top.
  const empty = join(dir, 'empty');
  execFileSync('mkdir', ['-p', empty, join(dir, 'm')]);
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${empty}:${lower}`, join(dir, 'm')]);
  try {
    return await check(join(dir, 'm'));
  } finally {
    execFileSync('umount', [join(dir, 'm')]);
    await rm(dir, { recursive: true, force: true });
  }
}

export function exists(root: string, p: string): boolean {
  return existsSync(join(root, p));
}
