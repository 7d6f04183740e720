/**
 * The filesystem side of a FileSync receive: the entries a sender lists, made under `dest` and never outside it.
 * Entries come depth-first, a directory before its children, so each entry's parent must be a directory made by
 * this transfer (never a symlink the sender listed, never something that was there before); every name is created
 * exclusively and without following a final symlink, and a hardlink may only name a regular file sent earlier.
 * A hostile or malformed listing fails the transfer instead of writing through a link.
 *
 * Small files (most of a context) are kept in memory until their last chunk, then written and hashed on the
 * writer thread in batches (`small-file-writer.ts`); larger ones are streamed through a file handle and hashed as
 * their bytes pass. Each file's sha256 is recorded in `digests`, so a COPY of the context need not read it again
 * for its cache key.
 */
import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, lutimes, mkdir, open, symlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SMALL_FILE_MAX } from '../base/small-files.js';
import type { ContextDigests } from '../build/context-digests.js';
import { FILE_MODE as MODE, FILE_TYPE_BITS as TYPE_BITS, type Stat } from './fsutil-packets.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';
import { writeSmallFiles, type SmallFile, type SmallFileResult } from './small-file-writer.js';

/** Files whose bytes are held in memory until their end (bigger ones stream to disk). */
const BUFFERED_MAX = SMALL_FILE_MAX;
/** Files written at once (queued for the writer thread or streaming), and their bytes held in memory meanwhile. */
const MAX_WRITING = 4096;
const MAX_WRITING_BYTES = 32 << 20;
/** A batch for the writer thread goes once it holds this many files or bytes, else once the loop is idle. */
const BATCH_FILES = 256;
const BATCH_BYTES = 4 << 20;
/** Create only: an existing name (a duplicate entry, a symlink put there) fails instead of being written through. */
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** Go FileMode permission and special bits as a POSIX mode. */
export function posixMode(mode: number): number {
  let m = mode & 0o777;
  if (mode & MODE.SETUID) m |= 0o4000;
  if (mode & MODE.SETGID) m |= 0o2000;
  if (mode & MODE.STICKY) m |= 0o1000;
  return m;
}

function invalid(message: string): GrpcError {
  return new GrpcError(GRPC_STATUS.INVALID_ARGUMENT, `invalid file transfer: ${message}`);
}

function invalidPath(rel: string): GrpcError {
  return new GrpcError(GRPC_STATUS.INVALID_ARGUMENT, `invalid path in file transfer: ${rel}`);
}

interface Incoming {
  stat: Stat;
  full: string;
  size: number;
  chunks: Buffer[];
  /** Once the file outgrew memory: its handle, every write chained on it, and the hash of its bytes so far. */
  handle?: Promise<FileHandle>;
  hash?: Hash;
}

interface Queued {
  f: Incoming;
  mtimeMs: number | undefined;
  file: SmallFile;
}

const MS_PER_NS = 1e6;

/** Writes `parts` in order; on a failure the handle is closed (so nothing is left open) and the error passed on. */
async function write(fh: FileHandle, parts: Buffer[]): Promise<FileHandle> {
  try {
    for (const p of parts) await fh.write(p);
    return fh;
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

/** A chained write's failure surfaces when the file ends (or the transfer does), never as an unhandled rejection. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export class ReceivedTree {
  /** Directories made by this transfer ('' is `dest`): the only places an entry may go. */
  private readonly dirs = new Map<string, Stat>([['', { path: '', mode: MODE.DIR } as Stat]]);
  private readonly names = new Set<string>();
  /** Regular files listed so far: what a hardlink may point at. */
  private readonly files = new Set<string>();
  private readonly hardlinks: Array<[string, string]> = [];
  private readonly incoming = new Map<number, Incoming>();
  /** Writes under way (and their bytes), and who waits for one of them to end. */
  private writing = 0;
  private writingBytes = 0;
  /** Small files not yet sent to the writer thread. */
  private batch: Queued[] = [];
  private batchBytes = 0;
  private flushQueued = false;
  private waiters: Array<() => void> = [];
  private failure: unknown;
  bytes = 0;

  constructor(
    private readonly dest: string,
    private readonly digests?: ContextDigests,
  ) {}

  /** Requests still unanswered (files whose end has not come). */
  get pending(): number {
    return this.incoming.size;
  }

  /** The host path of a listed relative path, after checking it is clean, new, and inside a directory made here. */
  private place(rel: string): string {
    const clean = path.posix.normalize(`/${rel}`).slice(1);
    if (clean === '' || clean !== rel) throw invalidPath(rel);
    if (this.names.has(rel)) throw invalid(`${rel} listed twice`);
    const parent = path.posix.dirname(rel);
    if (!this.dirs.has(parent === '.' ? '' : parent)) throw invalid(`${rel} does not follow its directory`);
    this.names.add(rel);
    return path.join(this.dest, rel);
  }

  /**
   * Makes a listed entry; true when it is a regular file whose bytes are to be requested (under `id`). Files and
   * hardlinks are only noted (answered at once, no promise); directories and symlinks are made before it resolves.
   */
  entry(id: number, st: Stat): boolean | Promise<boolean> {
    const full = this.place(st.path);
    if (st.mode & MODE.DIR) {
      this.dirs.set(st.path, st);
      return mkdir(full, { mode: 0o700 }).then(() => false);
    }
    if (st.mode & MODE.SYMLINK) return symlink(st.linkname, full).then(() => false);
    // Pipes, sockets and devices have no content a build could use; dockerd's BuildKit skips sockets too.
    if (st.mode & TYPE_BITS) return false;
    if (st.linkname) {
      if (!this.files.has(st.linkname)) throw invalid(`hardlink ${st.path} to ${st.linkname}, which is not a file sent before it`);
      this.hardlinks.push([st.path, st.linkname]);
      return false;
    }
    this.files.add(st.path);
    // Empty files are requested too: the sender answers with the one empty DATA packet that ends a file.
    this.incoming.set(id, { stat: st, full, size: 0, chunks: [] });
    return true;
  }

  /**
   * A chunk of file `id`; an empty one ends it. Returns a promise only when the writes under way are at their
   * limit: it resolves once there is room (most chunks are taken without one).
   */
  data(id: number, chunk: Buffer): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    const f = this.incoming.get(id);
    if (!f) throw invalid(`unexpected data for ${id}`);
    if (chunk.length) {
      f.size += chunk.length;
      this.bytes += chunk.length;
      if (f.handle) {
        f.hash!.update(chunk);
        f.handle = quiet(f.handle.then((fh) => write(fh, [chunk])));
      } else f.chunks.push(chunk);
      if (!f.handle && f.size > BUFFERED_MAX) return this.whenRoom(() => this.stream(f));
      return undefined;
    }
    this.incoming.delete(id);
    const mtimeMs = f.stat.modTime ? Math.floor(f.stat.modTime / MS_PER_NS) : undefined;
    if (f.handle) {
      this.track(this.finishStreamed(f, mtimeMs));
      return undefined;
    }
    return this.whenRoom(() => this.writeWhole(f, mtimeMs));
  }

  private hasRoom(): boolean {
    return this.writing < MAX_WRITING && this.writingBytes < MAX_WRITING_BYTES;
  }

  /** Runs `start` now when there is room for another write (see MAX_WRITING), else once writes have ended. */
  private whenRoom(start: () => void): Promise<void> | undefined {
    if (this.hasRoom()) {
      start();
      return undefined;
    }
    return this.room().then(start);
  }

  /** A file that outgrew memory: created now, its chunks so far written, the rest chained on its handle. */
  private stream(f: Incoming): void {
    const parts = f.chunks.splice(0);
    f.hash = createHash('sha256');
    for (const p of parts) f.hash.update(p);
    f.handle = quiet(open(f.full, CREATE_FLAGS, 0o600).then((fh) => write(fh, parts)));
  }

  private writeWhole(f: Incoming, mtimeMs: number | undefined): void {
    const data = f.chunks.length === 1 ? f.chunks[0]! : Buffer.concat(f.chunks);
    f.chunks = [];
    this.writing++;
    this.writingBytes += data.length;
    this.batch.push({ f, mtimeMs, file: { path: f.full, data, mode: posixMode(f.stat.mode), mtimeMs } });
    this.batchBytes += data.length;
    if (this.batch.length >= BATCH_FILES || this.batchBytes >= BATCH_BYTES) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      // After the packets already received are handled (they are taken without waiting on I/O).
      setImmediate(() => this.flush());
    }
  }

  /** Sends the queued small files to the writer thread; each one's end is counted when its result comes. */
  private flush(): void {
    this.flushQueued = false;
    const batch = this.batch;
    if (!batch.length) return;
    this.batch = [];
    this.batchBytes = 0;
    const done = (q: Queued, r: SmallFileResult): void => {
      this.writingBytes -= q.file.data.length;
      if ('digest' in r) {
        this.recordDigest(q.f, r.digest, q.mtimeMs);
        this.ended(null);
      } else this.ended(Object.assign(new Error(r.error), r.code ? { code: r.code } : {}));
    };
    writeSmallFiles(batch.map((q) => q.file)).then(
      (results) => batch.forEach((q, i) => done(q, results[i] ?? { error: 'no result from the file writer thread' })),
      (err: unknown) => batch.forEach((q) => done(q, { error: (err as Error).message })),
    );
  }

  private async finishStreamed(f: Incoming, mtimeMs: number | undefined): Promise<void> {
    const fh = await f.handle!;
    await fh.close();
    // A streamed file was created private until its end.
    await chmod(f.full, posixMode(f.stat.mode));
    if (mtimeMs !== undefined) await lutimes(f.full, mtimeMs / 1000, mtimeMs / 1000);
    this.recordDigest(f, f.hash!.digest('hex'), mtimeMs);
  }

  private recordDigest(f: Incoming, digest: string, mtimeMs: number | undefined): void {
    if (mtimeMs !== undefined) this.digests?.record(f.full, digest, f.size, mtimeMs);
  }

  /** One write ended (with its error, if any): wakes whoever waits for room or for the end. */
  private ended(err: unknown): void {
    this.writing--;
    if (err) this.failure ??= err;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private async room(): Promise<void> {
    this.flush();
    while (!this.hasRoom()) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  private track(p: Promise<void>): void {
    this.writing++;
    p.then(
      () => this.ended(null),
      (err: unknown) => this.ended(err),
    );
  }

  /** Waits for every write; then the hardlinks, and directory modes and times (deepest first, after their children). */
  async finish(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
    for (const [to, from] of this.hardlinks) await link(path.join(this.dest, from), path.join(this.dest, to));
    const dirs = [...this.dirs.values()].filter((d) => d.path !== '');
    for (const d of dirs.reverse()) {
      const full = path.join(this.dest, d.path);
      await chmod(full, posixMode(d.mode));
      if (d.modTime) await lutimes(full, d.modTime / MS_PER_NS / 1000, d.modTime / MS_PER_NS / 1000);
    }
  }

  /** Waits for the writes under way and closes what is open (after a failure too). */
  async settle(): Promise<void> {
    this.flush();
    for (const f of this.incoming.values()) if (f.handle) this.track(f.handle.then((fh) => fh.close()));
    this.incoming.clear();
    while (this.writing) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}
