/**
 * One in-progress blob write. Bytes are appended to `<dir>/data` while hashed; `commit()` makes the blob visible
 * only when digest and size match. A partial ingest survives a crash and is resumed: `offset` tells the caller
 * where to continue (e.g. with an HTTP Range request), and `partialStream()` replays the bytes already there.
 */
import { createReadStream, writeSync, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Hash } from 'node:crypto';
import { InvalidArgument } from '../base/errors.js';
import { hasher, parseDigest } from './digest.js';

interface IngestOptions {
  dir: string;
  target: string;
  digest: string;
  size: number;
  onClose: () => void;
}

export class Ingest {
  readonly digest: string;
  readonly size: number;
  offset = 0;
  private hash: Hash;
  private closed = false;

  private constructor(
    private readonly opts: IngestOptions,
    private fh: FileHandle,
  ) {
    this.digest = opts.digest;
    this.size = opts.size;
    this.hash = hasher(parseDigest(opts.digest).algorithm);
  }

  static async open(opts: IngestOptions): Promise<Ingest> {
    await mkdir(opts.dir, { recursive: true });
    const dataPath = join(opts.dir, 'data');
    const fh = await open(dataPath, 'a+');
    const ingest = new Ingest(opts, fh);
    const existing = (await fh.stat()).size;
    if (existing > 0 && (opts.size < 0 || existing <= opts.size)) {
      for await (const chunk of createReadStream(dataPath, { end: existing - 1 })) ingest.hash.update(chunk as Buffer);
      ingest.offset = existing;
    } else if (existing > 0) {
      await ingest.truncate();
    }
    return ingest;
  }

  get dataPath(): string {
    return join(this.opts.dir, 'data');
  }

  /** The bytes already written, for a consumer that must see the whole blob (stream-unpack on resume). */
  partialStream(): ReadStream | undefined {
    return this.offset > 0 ? createReadStream(this.dataPath, { end: this.offset - 1 }) : undefined;
  }

  async truncate(): Promise<void> {
    await this.fh.truncate(0);
    this.hash = hasher(parseDigest(this.digest).algorithm);
    this.offset = 0;
  }

  /**
   * Appends in line: a write into the page cache takes microseconds, while a thread-pool round trip per network
   * chunk would hold up the stream that feeds the unpack behind a scheduler wake-up on a loaded machine.
   */
  write(chunk: Buffer): void {
    this.hash.update(chunk);
    for (let written = 0; written < chunk.length; ) written += writeSync(this.fh.fd, chunk, written);
    this.offset += chunk.length;
  }

  /** Throws (discarding the ingest) unless the bytes written are the blob: its size and digest. */
  async verify(): Promise<void> {
    const got = `${parseDigest(this.digest).algorithm}:${this.hash.copy().digest('hex')}`;
    if ((this.size >= 0 && this.offset !== this.size) || got !== this.digest) {
      const detail =
        this.size >= 0 && this.offset !== this.size
          ? `size mismatch: expected ${this.size} bytes, got ${this.offset}`
          : `digest mismatch: expected ${this.digest}, got ${got}`;
      await this.abort(false);
      throw new InvalidArgument(`failed to verify ${this.digest}: ${detail}`);
    }
  }

  /**
   * Verifies and publishes the blob. On mismatch the ingest is discarded and an error thrown. `synced` says the
   * caller has already flushed the file system holding it (a layer's syncfs at its snapshot commit), so the
   * blob's own fsync would only repeat that.
   */
  async commit(opts: { synced?: boolean } = {}): Promise<void> {
    await this.verify();
    if (!opts.synced) await this.fh.sync();
    await this.fh.close();
    await mkdir(dirname(this.opts.target), { recursive: true });
    await rename(this.dataPath, this.opts.target);
    await syncDir(dirname(this.opts.target));
    await rm(this.opts.dir, { recursive: true, force: true });
    this.close();
  }

  /** Ends the write; `keep` leaves the partial data for a later resume. */
  async abort(keep: boolean): Promise<void> {
    if (this.closed) return;
    await this.fh.close().catch(() => undefined);
    if (!keep) await rm(this.opts.dir, { recursive: true, force: true });
    this.close();
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    this.opts.onClose();
  }
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function fileSize(path: string): Promise<number | undefined> {
  return (await stat(path).catch(() => undefined))?.size;
}
