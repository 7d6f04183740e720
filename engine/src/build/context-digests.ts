/**
 * Content digests of a received build context's files, recorded while they were written (BuildKit's FileSync
 * receiver hashes each file as its bytes arrive), so a COPY's cache key does not read the whole context again.
 * An entry only answers for the file as it was written: a different size or modification time (anything that
 * wrote to it since) makes it miss, and the file is hashed from disk as before.
 */
import type { Stats } from 'node:fs';

interface Written {
  digest: string;
  size: number;
  /** Milliseconds since the epoch, as set on the file after writing it. */
  mtimeMs: number;
}

export class ContextDigests {
  private readonly files = new Map<string, Written>();

  /** Records the sha256 (hex) of the file at `abs` as written, with the size and time it was left with. */
  record(abs: string, digest: string, size: number, mtimeMs: number): void {
    this.files.set(abs, { digest, size, mtimeMs });
  }

  /** The recorded digest of `abs` if `st` (its lstat now) still shows the file as it was written. */
  lookup(abs: string, st: Stats): string | undefined {
    const w = this.files.get(abs);
    if (!w || !st.isFile() || st.size !== w.size || Math.abs(st.mtimeMs - w.mtimeMs) >= 1) return undefined;
    return w.digest;
  }

  get size(): number {
    return this.files.size;
  }
}
