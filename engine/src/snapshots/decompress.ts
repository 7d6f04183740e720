/**
 * Decompression chosen by magic bytes (media types lie often enough: dockerd sniffs too), for layers, build
 * contexts, `docker cp` uploads and imports: gzip through Node's zlib; zstd, xz and bzip2 through the base system's
 * binaries as stream filters (Node 20's zlib has none of them); anything else is taken as plain tar.
 */
import { spawn } from 'node:child_process';
import { PassThrough, Readable, pipeline } from 'node:stream';
import { InvalidArgument } from '../base/errors.js';

export type Compression = 'gzip' | 'zstd' | 'xz' | 'bzip2' | 'none';

const XZ_MAGIC = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]);

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 6 && head.subarray(0, 6).equals(XZ_MAGIC)) return 'xz';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  return 'none';
}

/** Reads the first bytes of `source` to pick a decompressor; returns the uncompressed stream. */
export async function decompressed(source: AsyncIterable<Buffer>): Promise<Readable> {
  const it = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < XZ_MAGIC.length) {
    const r = await it.next();
    if (r.done) break;
    head = Buffer.concat([head, r.value]);
  }
  const rest = Readable.from(
    (async function* () {
      if (head.length) yield head;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
      }
    })(),
    { objectMode: false, highWaterMark: 1 << 20 },
  );
  const kind = detectCompression(head);
  if (kind === 'gzip') {
    // zlib loads at first use: an idle engine does without it.
    const { createGunzip } = await import('node:zlib');
    const gunzip = createGunzip({ chunkSize: 1 << 18 });
    pipeline(rest, gunzip, () => undefined);
    return gunzip;
  }
  if (kind === 'none') return rest;
  return throughBinary(kind, rest);
}

function throughBinary(binary: 'zstd' | 'xz' | 'bzip2', input: Readable): Readable {
  const child = spawn(binary, ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  pipeline(input, child.stdin, (err) => {
    if (err && !out.destroyed) out.destroy(err);
  });
  child.stdout.pipe(out, { end: false });
  child.on('error', (err) => out.destroy(err));
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new InvalidArgument(`${binary} decompression failed: ${stderr.trim() || `exit ${code}`}`));
  });
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}
