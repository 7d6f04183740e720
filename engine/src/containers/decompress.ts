import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidArgument } from '../base/errors.js';

/** The compressions dockerd's archive.DecompressStream recognises, by magic number. */
function detect(head: Buffer): 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'none' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
  return 'none';
}

/** Pipes through a decompressor binary (xz, bzip2, zstd from the base system), surfacing its failure as an error. */
function throughBinary(binary: string, input: Readable): Readable {
  const child = spawn(binary, ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  input.pipe(child.stdin);
  child.stdin.on('error', () => undefined);
  child.on('error', (err) => child.stdout.destroy(new InvalidArgument(`cannot decompress the archive: ${err.message}`)));
  child.on('close', (code) => {
    if (code !== 0) child.stdout.destroy(new InvalidArgument(`cannot decompress the archive: ${binary} exited ${code}`));
  });
  return child.stdout;
}

/** Returns the body as an uncompressed tar stream, whatever compression it came in. */
export async function decompressStream(body: Readable): Promise<Readable> {
  const it = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : Buffer.from(first.value);
  const whole = Readable.from(
    (async function* () {
      if (head.length) yield head;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })(),
    { objectMode: false },
  );
  switch (detect(head)) {
    case 'gzip':
      return whole.pipe(createGunzip());
    case 'bzip2':
      return throughBinary('bzip2', whole);
    case 'xz':
      return throughBinary('xz', whole);
    case 'zstd':
      return throughBinary('zstd', whole);
    default:
      return whole;
  }
}
