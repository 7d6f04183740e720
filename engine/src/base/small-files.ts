/**
 * Whole-file reads of small files (a build context's, a layer's). Reads are direct system calls on the
 * event loop's thread: each async fs call is a round trip through libuv's thread pool (a queue, a wake-up of a
 * pool thread, a wake-up of the loop), which for a 10 KB file in the page cache costs several times the call
 * itself, four or five times per file (and worse on a loaded machine, where every wake-up waits for a CPU).
 * Callers keep these to files up to `SMALL_FILE_MAX`, so one call blocks the loop for microseconds; bigger files
 * stay streamed. A received context's small files are created on a writer thread (buildkit/small-file-writer.ts).
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

/** The largest file read (or, received, written) whole. */
export const SMALL_FILE_MAX = 1 << 20;

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
