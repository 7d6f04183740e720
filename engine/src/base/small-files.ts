/**
 * Whole-file reads and writes of small files (a build context's, a layer's). Reads are direct system calls on the
 * event loop's thread: each async fs call is a round trip through libuv's thread pool (a queue, a wake-up of a
 * pool thread, a wake-up of the loop), which for a 10 KB file in the page cache costs several times the call
 * itself, four or five times per file (and worse on a loaded machine, where every wake-up waits for a CPU).
 * Callers keep these to files up to `SMALL_FILE_MAX`, so one call blocks the loop for microseconds; bigger files
 * stay streamed. Creates stay asynchronous (see `writeNewFileThen`).
 */
import { closeSync, constants, fchmodSync, futimesSync, open, openSync, readSync, writeSync } from 'node:fs';

/** The largest file read or written whole by these functions. */
export const SMALL_FILE_MAX = 1 << 20;

/** Create only, never through a final symlink: an existing name fails instead of being written through. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Read once: the mode open() creates with is `mode & ~umask`. */
const UMASK = process.umask();

export interface NewFile {
  /** Permission and set-id/sticky bits, applied exactly (not filtered by the umask). */
  mode: number;
  /** Modification (and access) time in ms since the epoch; undefined leaves the time of writing. */
  mtimeMs?: number | undefined;
}

/**
 * Creates `path` (which must not exist, and is never reached through a final symlink) holding `data`, with `mode`
 * exactly (set-id bits and bits the umask would clear too) and the time given; `done` gets the first error. The
 * create goes through the thread pool: it can wait on the file system while other writers keep the disk busy, and
 * several at once overlap those waits where direct calls would queue them on the event loop (measured: 5,000
 * creates 1.1-5.1 s direct, 0.7-1.2 s 16 at once). The rest (a write into the page cache, the mode and times of
 * the inode, the close) are direct calls on the open descriptor: each was a thread-pool round trip of its own, and
 * a CPU profile of a 20,000-file context under load put ~3 s of the event loop's time into those submissions (the
 * loop's thread losing its CPU to the pool thread it woke). Callbacks, not promises: no promise per file.
 */
export function writeNewFileThen(path: string, data: Buffer, file: NewFile, done: (err: Error | null) => void): void {
  open(path, CREATE_NEW, file.mode & 0o777, (openErr, fd) => {
    if (openErr) return done(openErr);
    let failure: Error | null = null;
    try {
      for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
      if ((file.mode & ~0o777) !== 0 || (file.mode & UMASK) !== 0) fchmodSync(fd, file.mode);
      if (file.mtimeMs !== undefined) futimesSync(fd, file.mtimeMs / 1000, file.mtimeMs / 1000);
    } catch (err) {
      failure = err as Error;
    }
    try {
      closeSync(fd);
    } catch (err) {
      failure ??= err as Error;
    }
    done(failure);
  });
}

/** `writeNewFileThen` as a promise. */
export function writeNewFile(path: string, data: Buffer, file: NewFile): Promise<void> {
  return new Promise((resolve, reject) => writeNewFileThen(path, data, file, (err) => (err ? reject(err) : resolve())));
}

/**
 * The whole of a regular file of `size` bytes (its lstat's). A file that is not that size any more (it changed
 * after the lstat) fails, as a tar of it would be wrong.
 */
export function readSmallFileSync(path: string, size: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    // One byte more tells a file that grew from one that is exactly `size`.
    if (off !== size || readSync(fd, Buffer.allocUnsafe(1), 0, 1, size) !== 0) throw new Error(`${path} changed while it was read`);
    return buf;
  } finally {
    closeSync(fd);
  }
}
