/**
 * Makes one layer's snapshot exist: the blob streams from the registry (or the content store) straight through
 * decompression into the snapshot being prepared, while the same bytes are appended to the content ingest. Nothing
 * becomes visible until the blob digest and the uncompressed diff ID both check out; a failure drops the prepared
 * snapshot and keeps the partial download for the next attempt to resume with a Range request.
 */
import type { Hash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { InvalidArgument, isNoSpace } from '../base/errors.js';
import { hasher } from '../content/digest.js';
import type { Ingest } from '../content/ingest.js';
import type { ContentStore } from '../content/store.js';
import type { Descriptor } from '../registry/mediatypes.js';
import type { BlobStream } from '../registry/repository.js';
import { decompressed } from '../snapshots/decompress.js';
import type { SnapshotStore } from '../snapshots/store.js';
import { unpackLayer } from '../snapshots/unpack.js';
import { cancelled } from './cancel.js';

export interface LayerJob {
  desc: Descriptor;
  diffId: string;
  chainId: string;
  parent?: string | undefined;
}

export interface LayerCallbacks {
  /** Bytes of the compressed blob received so far (resumed bytes included). */
  downloading?(current: number): void;
  downloaded?(): void;
}

export type BlobFetcher = (digest: string, offset: number) => Promise<BlobStream>;

async function* recorded(
  ingest: Ingest,
  partial: AsyncIterable<Buffer> | undefined,
  body: AsyncIterable<Buffer>,
  cb: LayerCallbacks,
): AsyncGenerator<Buffer> {
  if (partial) for await (const c of partial) yield c;
  for await (const c of body) {
    ingest.write(c);
    cb.downloading?.(ingest.offset);
    yield c;
  }
  cb.downloaded?.();
}

async function* local(stream: AsyncIterable<Buffer>, cb: LayerCallbacks): AsyncGenerator<Buffer> {
  yield* stream;
  cb.downloaded?.();
}

async function* hashing(source: AsyncIterable<Buffer>, h: Hash): AsyncGenerator<Buffer> {
  for await (const c of source) {
    h.update(c);
    yield c;
  }
}

async function sameFileSystem(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  return sa.dev === sb.dev;
}

/** One unpack of a chain ID, shared by every pull that needs it; it stops only when all of them have gone. */
interface SharedUnpack {
  result: Promise<number>;
  stop: AbortController;
  waiters: number;
}

const inFlight = new Map<string, SharedUnpack>();

/**
 * Returns the layer's unpacked size. `fetch` is absent when the blob must already be in the content store.
 * Concurrent callers for one chain ID (two pulls sharing a base layer) share one unpack. A caller whose `signal`
 * aborts (its client hung up) stops waiting at once; the download itself stops when no caller is left, keeping
 * what it received for the next pull to resume (as dockerd's transfers, which outlive a client while another
 * still watches).
 */
export function ensureLayer(
  content: ContentStore,
  snapshots: SnapshotStore,
  job: LayerJob,
  fetch: BlobFetcher | undefined,
  cb: LayerCallbacks = {},
  signal?: AbortSignal,
): Promise<number> {
  if (signal?.aborted) return Promise.reject(cancelled());
  const key = `${snapshots.root}\0${job.chainId}`;
  let shared = inFlight.get(key);
  if (!shared) {
    const stop = new AbortController();
    const result = ensureLayerOnce(content, snapshots, job, fetch, cb, stop.signal).finally(() => inFlight.delete(key));
    shared = { result, stop, waiters: 0 };
    inFlight.set(key, shared);
  }
  const joined = shared;
  joined.waiters++;
  if (!signal) return joined.result;
  return new Promise<number>((resolve, reject) => {
    const leave = (): void => {
      if (--joined.waiters === 0) joined.stop.abort();
      reject(cancelled());
    };
    signal.addEventListener('abort', leave, { once: true });
    joined.result.then(
      (size) => {
        signal.removeEventListener('abort', leave);
        resolve(size);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', leave);
        reject(err);
      },
    );
  });
}

async function ensureLayerOnce(
  content: ContentStore,
  snapshots: SnapshotStore,
  job: LayerJob,
  fetch: BlobFetcher | undefined,
  cb: LayerCallbacks,
  stop: AbortSignal,
): Promise<number> {
  const existing = await snapshots.meta(job.chainId);
  if (existing) return existing.size;
  const prepared = await snapshots.prepare();
  let ingest: Ingest | undefined;
  try {
    ingest = fetch ? await content.openIngest(job.desc.digest, job.desc.size) : undefined;
    let source: AsyncIterable<Buffer>;
    if (ingest) {
      const remote = await fetch!(job.desc.digest, ingest.offset);
      // Every pull waiting for this layer has gone: hang up on the registry; the unpack below fails and cleans up.
      const hangUp = (): void => void remote.body.destroy(cancelled());
      if (stop.aborted) hangUp();
      else stop.addEventListener('abort', hangUp, { once: true });
      if (remote.start === 0 && ingest.offset > 0) await ingest.truncate();
      source = recorded(ingest, ingest.partialStream(), remote.body, cb);
    } else {
      source = local(content.readStream(job.desc.digest), cb);
    }
    const diff = hasher();
    const tar = Readable.from(hashing(await decompressed(source), diff), { objectMode: false });
    const { size } = await unpackLayer(tar, prepared.fs);
    await ingest?.verify();
    const got = `sha256:${diff.digest('hex')}`;
    if (got !== job.diffId) {
      throw new InvalidArgument(`failed to register layer: rootfs diff ID mismatch for ${job.desc.digest}: expected ${job.diffId}, got ${got}`);
    }
    // One flush per layer: the snapshot commit's syncfs also covers the blob when both stores share a file system.
    const shared = ingest !== undefined && (await sameFileSystem(content.root, snapshots.root));
    await prepared.commit({ chainId: job.chainId, diffId: job.diffId, ...(job.parent ? { parent: job.parent } : {}), size });
    await ingest?.commit({ synced: shared });
    return size;
  } catch (err) {
    await prepared.abort();
    // Kept for a resume, unless the disk is full: then the partial download is what keeps it full.
    await ingest?.abort(!isNoSpace(err));
    throw err;
  }
}

/**
 * Makes a locally made layer's snapshot from its overlay upper dir (already stored as `job.diffId`): the dir's
 * entries are moved into the snapshot store, so nothing is unpacked. Returns the layer's unpacked size.
 */
export async function adoptLayer(
  snapshots: SnapshotStore,
  job: LayerJob,
  dir: string,
  fix: { drop: Iterable<string>; strip: Map<string, string[]> },
  size: number,
  opts: { sync?: boolean } = {},
): Promise<number> {
  const existing = await snapshots.meta(job.chainId);
  if (existing) return existing.size;
  const prepared = await snapshots.adopt(dir, fix);
  try {
    await prepared.commit({ chainId: job.chainId, diffId: job.diffId, ...(job.parent ? { parent: job.parent } : {}), size }, opts);
  } catch (err) {
    await prepared.abort();
    throw err;
  }
  return size;
}
