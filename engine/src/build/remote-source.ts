/**
 * ADD's URL sources: downloaded into the step's scratch dir with mode 0600 and the `Last-Modified` time, named after
 * the URL path (or the destination when it names a file). `ADD --checksum=sha256:…` pins the content: the bytes
 * are hashed as they arrive and a mismatch fails the step with BuildKit's message.
 */
import { createHash } from 'node:crypto';
import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgument } from '../base/errors.js';
import type { Source } from './sources.js';

export function isRemoteSource(arg: string): boolean {
  return /^https?:\/\//.test(arg);
}

/** Checks an `ADD --checksum` value and the sources it applies to, as BuildKit's Dockerfile frontend does. */
export function checkChecksum(checksum: string, sources: string[]): void {
  if (sources.length !== 1) throw new InvalidArgument("checksum can't be specified for multiple sources");
  if (!isRemoteSource(sources[0]!)) throw new InvalidArgument("checksum can't be specified for non-HTTP(S) sources");
  const m = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):(.*)$/.exec(checksum);
  if (!m) throw new InvalidArgument(`invalid checksum digest format: ${checksum}`);
  if (m[1] !== 'sha256') throw new InvalidArgument(`unsupported digest algorithm: ${checksum}`);
  if (!/^[a-f0-9]{64}$/.test(m[2]!)) throw new InvalidArgument(`invalid checksum digest length: ${checksum}`);
}

export async function download(url: string, dir: string, dest: string, checksum?: string): Promise<Source> {
  const res = await fetch(url).catch((err: unknown) => {
    throw new InvalidArgument(`ADD failed: ${(err as Error).message}`);
  });
  if (!res.ok) throw new InvalidArgument(`ADD failed: failed to GET ${url} with status ${res.status} ${res.statusText}`);
  let name = path.posix.basename(new URL(url).pathname);
  if (!dest.endsWith('/')) name = path.posix.basename(dest) || name;
  if (!name) throw new InvalidArgument(`cannot determine filename from url: ${url}`);
  const body = Buffer.from(await res.arrayBuffer());
  if (checksum !== undefined) {
    const got = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    if (got !== checksum) throw new InvalidArgument(`digest mismatch ${got}: ${checksum}`);
  }
  const file = path.join(dir, name);
  await writeFile(file, body, { mode: 0o600 });
  const modified = Date.parse(res.headers.get('last-modified') ?? '');
  if (Number.isFinite(modified)) await utimes(file, new Date(modified), new Date(modified));
  return { rel: name, abs: file, dir: false };
}
