/**
 * Content-addressed blob store under `<data-root>/content`: `blobs/<alg>/<hex>` holds only verified blobs; writes go
 * through `ingest/<alg>-<hex>` and are renamed into place after the digest and size check, so a `kill -9` mid-write
 * leaves at most a partial ingest, which the next writer of that digest resumes.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDirMode } from '../base/fsutil.js';
import { NotFound } from '../base/errors.js';
import { digestOf, hasher, parseDigest } from './digest.js';
import { Ingest, syncDir } from './ingest.js';

/** How much of a stream `putStream` gathers before writing it. */
const WRITE_BATCH_BYTES = 1 << 20;

/** Writes `parts` in order at the handle's position (writev may write less than all of it). */
async function writeAll(fh: FileHandle, parts: Buffer[]): Promise<void> {
  if (!parts.length) return;
  const total = parts.reduce((n, p) => n + p.length, 0);
  const { bytesWritten } = await fh.writev(parts);
  if (bytesWritten < total) {
    const rest = Buffer.concat(parts).subarray(bytesWritten);
    for (let off = 0; off < rest.length; ) off += (await fh.write(rest, off)).bytesWritten;
  }
}

export interface BlobInfo {
  digest: string;
  size: number;
}

export class ContentStore {
  readonly root: string;
  private readonly locks = new Map<string, Promise<void>>();
  /** The unnamed ingests (`tmp-*`) being written now. */
  private readonly streaming = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  async init(): Promise<void> {
    await ensureDirMode(this.root, 0o700);
    await mkdir(join(this.root, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.root, 'ingest'), { recursive: true });
    // Unnamed ingests (load, import) cannot be resumed: drop what a crash left of them.
    for (const name of await readdir(join(this.root, 'ingest'))) {
      if (name.startsWith('tmp-')) await rm(join(this.root, 'ingest', name), { recursive: true, force: true });
    }
  }

  blobPath(digest: string): string {
    const { algorithm, hex } = parseDigest(digest);
    return join(this.root, 'blobs', algorithm, hex);
  }

  /** Size of a committed blob, or undefined when it is absent. */
  async size(digest: string): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch {
      return undefined;
    }
  }

  async has(digest: string): Promise<boolean> {
    return (await this.size(digest)) !== undefined;
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.blobPath(digest));
    } catch (err) {
      throw new NotFound(`content digest ${digest}: not found`, { cause: err });
    }
  }

  readStream(digest: string, start = 0): ReadStream {
    return createReadStream(this.blobPath(digest), { start, highWaterMark: 1 << 20 });
  }

  /**
   * Opens the ingest for a blob, waiting for any other writer of the same digest in this process. Returns
   * undefined when the blob is already committed (possibly by the writer we waited for).
   */
  async openIngest(digest: string, size: number): Promise<Ingest | undefined> {
    const { algorithm, hex } = parseDigest(digest);
    for (;;) {
      const held = this.locks.get(digest);
      if (!held) break;
      await held;
    }
    // Taken before the first await: two openers woken together must not both find the blob missing and then share
    // one ingest file (the second rename would fail; Compose pulls one image for several services at once).
    let release!: () => void;
    this.locks.set(digest, new Promise<void>((r) => (release = r)));
    const done = (): void => {
      this.locks.delete(digest);
      release();
    };
    try {
      if (await this.has(digest)) {
        done();
        return undefined;
      }
      return await Ingest.open({
        dir: join(this.root, 'ingest', `${algorithm}-${hex}`),
        target: this.blobPath(digest),
        digest,
        size,
        onClose: done,
      });
    } catch (err) {
      done();
      throw err;
    }
  }

  /**
   * Deletes the partial downloads no writer holds (kept after a failed pull so that the next pull resumes them)
   * and returns the bytes freed. Unnamed ingests (load, import) in progress are left alone.
   */
  async sweepIdleIngests(): Promise<number> {
    const root = join(this.root, 'ingest');
    let freed = 0;
    for (const name of await readdir(root).catch(() => [] as string[])) {
      const named = /^([a-z0-9]+)-([a-f0-9]+)$/.exec(name);
      if (name.startsWith('tmp-') ? this.streaming.has(name) : !named || this.locks.has(`${named[1]}:${named[2]}`)) continue;
      freed += (await stat(join(root, name, 'data')).catch(() => undefined))?.size ?? 0;
      await rm(join(root, name), { recursive: true, force: true });
    }
    return freed;
  }

  /** Stores a small blob held in memory (manifests, configs); returns its digest. */
  async put(data: Buffer, expected?: string): Promise<string> {
    const digest = expected ?? digestOf(data);
    const ingest = await this.openIngest(digest, data.length);
    if (!ingest) return digest;
    try {
      if (ingest.offset > 0) await ingest.truncate();
      ingest.write(data);
      await ingest.commit();
    } catch (err) {
      await ingest.abort(false);
      throw err;
    }
    return digest;
  }

  /**
   * Stores a stream whose digest is not known up front (load, import): hashed while written, then published.
   * `sync: false` leaves flushing to the caller (a build syncs once at its end, not per layer).
   */
  async putStream(source: AsyncIterable<Buffer>, opts: { sync?: boolean } = {}): Promise<BlobInfo> {
    const name = `tmp-${randomBytes(8).toString('hex')}`;
    const dir = join(this.root, 'ingest', name);
    this.streaming.add(name);
    const data = join(dir, 'data');
    const h = hasher();
    let size = 0;
    try {
      await mkdir(dir, { recursive: true });
      const fh = await open(data, 'w');
      try {
        // A tar stream comes as a 512-byte header and a small body per file: gathered into one writev per
        // megabyte, not a thread-pool round trip each.
        let pending: Buffer[] = [];
        let pendingBytes = 0;
        for await (const c of source) {
          h.update(c);
          size += c.length;
          pending.push(c);
          pendingBytes += c.length;
          if (pendingBytes >= WRITE_BATCH_BYTES) {
            await writeAll(fh, pending);
            pending = [];
            pendingBytes = 0;
          }
        }
        await writeAll(fh, pending);
        if (opts.sync !== false) await fh.sync();
      } finally {
        await fh.close();
      }
      const digest = `sha256:${h.digest('hex')}`;
      if (!(await this.has(digest))) {
        await rename(data, this.blobPath(digest));
        if (opts.sync !== false) await syncDir(join(this.root, 'blobs', 'sha256'));
      }
      return { digest, size };
    } finally {
      await rm(dir, { recursive: true, force: true });
      this.streaming.delete(name);
    }
  }

  async delete(digest: string): Promise<void> {
    await rm(this.blobPath(digest), { force: true });
  }

  async list(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const algorithm of await readdir(join(this.root, 'blobs')).catch(() => [] as string[])) {
      for (const hex of await readdir(join(this.root, 'blobs', algorithm))) {
        const size = (await stat(join(this.root, 'blobs', algorithm, hex)).catch(() => undefined))?.size;
        if (size !== undefined) out.push({ digest: `${algorithm}:${hex}`, size });
      }
    }
    return out;
  }
}
