/**
 * The distribution API calls on one repository: manifests (get, head, put), blobs (get with Range for resumes,
 * head), and uploads (start, cross-repo mount, monolithic put).
 */
import type { Readable } from 'node:stream';
import { NotFound, SystemError } from '../base/errors.js';
import { digestOf } from '../content/digest.js';
import type { RepositoryClient } from './client.js';
import { unexpectedStatus } from './errors.js';
import { readBody } from './http.js';
import { MANIFEST_ACCEPT } from './mediatypes.js';

export interface FetchedManifest {
  mediaType: string;
  digest: string;
  data: Buffer;
}

function mediaTypeOf(data: Buffer, header: string | undefined): string {
  try {
    const mt = (JSON.parse(data.toString('utf8')) as { mediaType?: string }).mediaType;
    if (mt) return mt;
  } catch {
    // fall through to the header
  }
  return (header ?? '').split(';')[0]!.trim();
}

export async function fetchManifest(c: RepositoryClient, reference: string): Promise<FetchedManifest> {
  const res = await c.send('GET', `manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
  const data = await readBody(res, 8 << 20);
  if (res.status !== 200) throw unexpectedStatus(res.status, data);
  const digest = digestOf(data);
  if (reference.includes(':') && reference !== digest) {
    throw new SystemError(`manifest verification failed for digest ${reference}`);
  }
  return { mediaType: mediaTypeOf(data, res.headers['content-type']), digest, data };
}

/** `HEAD manifests/<ref>`: the descriptor without the body (the re-pull "is up to date" check). */
export async function headManifest(
  c: RepositoryClient,
  reference: string,
): Promise<{ digest: string; mediaType: string; size: number } | undefined> {
  const res = await c.send('HEAD', `manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT } });
  res.body.resume();
  const digest = res.headers['docker-content-digest'];
  if (res.status !== 200 || typeof digest !== 'string') return undefined;
  return {
    digest,
    mediaType: (res.headers['content-type'] ?? '').split(';')[0]!.trim(),
    size: Number(res.headers['content-length'] ?? 0),
  };
}

export interface BlobStream {
  body: Readable;
  /** Where the body starts: the requested offset for a 206, 0 when the server ignored the Range. */
  start: number;
}

export async function fetchBlob(c: RepositoryClient, digest: string, offset = 0): Promise<BlobStream> {
  const headers: Record<string, string> = offset > 0 ? { Range: `bytes=${offset}-` } : {};
  const res = await c.send('GET', `blobs/${digest}`, { headers });
  if (res.status === 206) return { body: res.body, start: offset };
  if (res.status === 200) return { body: res.body, start: 0 };
  if (res.status === 416) {
    res.body.resume();
    return fetchBlob(c, digest, 0);
  }
  throw unexpectedStatus(res.status, await readBody(res, 1 << 20).catch(() => Buffer.alloc(0)));
}

export async function statBlob(c: RepositoryClient, digest: string): Promise<number | undefined> {
  const res = await c.send('HEAD', `blobs/${digest}`);
  res.body.resume();
  if (res.status === 404) return undefined;
  if (res.status >= 300) throw unexpectedStatus(res.status, Buffer.alloc(0));
  return Number(res.headers['content-length'] ?? 0);
}

/** Starts an upload; with `from` asks for a cross-repo mount first. Returns 'mounted' or the upload URL. */
export async function startUpload(c: RepositoryClient, mount?: { digest: string; from: string }): Promise<'mounted' | URL> {
  const q = mount ? `?mount=${encodeURIComponent(mount.digest)}&from=${encodeURIComponent(mount.from)}` : '';
  const res = await c.send('POST', `blobs/uploads/${q}`, { body: Buffer.alloc(0) });
  const body = await readBody(res, 1 << 20);
  if (res.status === 201 && mount) return 'mounted';
  if (res.status !== 202) throw unexpectedStatus(res.status, body);
  const location = res.headers.location;
  if (!location) throw new SystemError('registry did not return an upload location');
  return c.url(location);
}

export async function finishUpload(c: RepositoryClient, location: URL, digest: string, size: number, body: Readable): Promise<void> {
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  const res = await c.send('PUT', '', {
    url,
    body,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
  });
  const resBody = await readBody(res, 1 << 20);
  if (res.status !== 201 && res.status !== 204) throw unexpectedStatus(res.status, resBody);
}

export async function putManifest(c: RepositoryClient, reference: string, mediaType: string, data: Buffer): Promise<string> {
  const res = await c.send('PUT', `manifests/${reference}`, { body: data, headers: { 'Content-Type': mediaType } });
  const body = await readBody(res, 1 << 20);
  if (res.status !== 201 && res.status !== 200) throw unexpectedStatus(res.status, body);
  return digestOf(data);
}

/** `GET tags/list`, following `Link` pagination. */
export async function listTags(c: RepositoryClient): Promise<string[]> {
  const tags: string[] = [];
  let sub = 'tags/list';
  for (let page = 0; page < 100; page++) {
    const res = await c.send('GET', sub);
    const body = await readBody(res, 8 << 20);
    if (res.status !== 200) throw unexpectedStatus(res.status, body);
    tags.push(...((JSON.parse(body.toString('utf8')) as { tags?: string[] | null }).tags ?? []));
    const next = /<([^>]+)>;\s*rel="next"/.exec(String(res.headers.link ?? ''));
    if (!next) break;
    sub = next[1]!;
  }
  return tags;
}

export function notFoundIfMissing(err: unknown, message: string): never {
  if (err instanceof NotFound) throw new NotFound(message, { cause: err });
  throw err;
}
