/**
 * Whole-file reads and writes of small files (a build context's, a layer's) as direct system calls on the event
 * loop's thread. Each async fs call is a round trip through libuv's thread pool (a queue, a wake-up of a pool
 * thread, a wake-up of the loop); for a 10 KB file in the page cache that round trip costs several times the
 * system call itself, and a file takes four or five of them. Across 20,000 files the round trips, not the bytes,
 * were most of a context transfer's and a layer tar's time (and worse on a loaded machine, where every wake-up
 * waits for a CPU). Callers keep these to files up to `SMALL_FILE_MAX`, so one call blocks the loop for
 * microseconds; bigger files stay streamed.
 */
import { closeSync, constants, fchmodSync, futimesSync, openSync, readSync, writeSync } from 'node:fs';

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

/** Creates `path` (which must not exist) holding `data`, with `mode` and the time given. */
export function writeNewFileSync(path: string, data: Buffer, file: NewFile): void {
  const fd = openSync(path, CREATE_NEW, file.mode & 0o777);
  try {
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
    // The create mode is enough unless the umask cleared bits of it or set-id/sticky bits are wanted.
    if ((file.mode & ~0o777) !== 0 || (file.mode & UMASK) !== 0) fchmodSync(fd, file.mode);
    if (file.mtimeMs !== undefined) futimesSync(fd, file.mtimeMs / 1000, file.mtimeMs / 1000);
  } finally {
    closeSync(fd);
  }
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
