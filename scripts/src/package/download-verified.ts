import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface DownloadOptions {
  /** A download that receives nothing for this long is abandoned (default one minute). */
  idleMs?: number;
}

/**
 * Downloads `url` to `dest`, hashing as it writes, and keeps the file only when its sha256 is `sha256`. The bytes go
 * to `<dest>.partial` first and are renamed to `dest` only after the check: an interrupted download, a server error
 * or a wrong checksum removes the partial file and throws, so `dest` is either the verified file or absent.
 */
export async function downloadVerified(url: string, sha256: string, dest: string, opts: DownloadOptions = {}): Promise<void> {
  const partial = `${dest}.partial`;
  const idleMs = opts.idleMs ?? 60_000;
  const abort = new AbortController();
  let idle: NodeJS.Timeout | undefined;
  const stillMoving = () => {
    clearTimeout(idle);
    idle = setTimeout(() => abort.abort(new Error(`no data for ${Math.round(idleMs / 1000)} s`)), idleMs);
  };
  const hash = createHash('sha256');
  let received = 0;
  try {
    stillMoving();
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow', signal: abort.signal });
    } catch (err) {
      throw new Error(`cannot download ${url}: ${reason(err)}`, { cause: err });
    }
    if (!res.ok || !res.body) throw new Error(`cannot download ${url}: the server answered ${res.status} ${res.statusText}`);
    const hashing = new Transform({
      transform(chunk: Buffer, _enc, done) {
        stillMoving();
        received += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), hashing, createWriteStream(partial, { mode: 0o644 }));
    } catch (err) {
      throw new Error(`the download of ${url} was interrupted after ${received} bytes (${reason(err)}); nothing was kept`, { cause: err });
    }
    const got = hash.digest('hex');
    if (got !== sha256) {
      throw new Error(
        `sha256 mismatch for ${url}: the manifest pins ${sha256}, the download (${received} bytes) is ${got}. ` +
          'Nothing was kept. If upstream really changed the file, check it and update scripts/deps/docker-static-tools.json.',
      );
    }
    await rename(partial, dest);
  } finally {
    clearTimeout(idle);
    await rm(partial, { force: true });
  }
}

function reason(err: unknown): string {
  const e = err as Error & { cause?: Error & { code?: string } };
  const cause = e.cause ? `: ${e.cause.code ?? e.cause.message}` : '';
  return `${e.message ?? String(err)}${cause}`;
}
