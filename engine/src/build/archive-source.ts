/**
 * ADD's local archives: a tar, plain or compressed (gzip, bzip2, xz, zstd), is unpacked at the destination rather
 * than copied. Recognised by content, as dockerd does, never by file name.
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { decompressed } from '../snapshots/decompress.js';
import { unpackLayer } from '../snapshots/unpack.js';

function filtered(cmd: string, file: string): Readable {
  const child = spawn(cmd, ['-dc', file], { stdio: ['ignore', 'pipe', 'ignore'] });
  const out = new PassThrough();
  pipeline(child.stdout, out, () => undefined);
  return out;
}

async function opened(file: string): Promise<Readable> {
  const fh = await open(file, 'r');
  const head = Buffer.alloc(6);
  await fh.read(head, 0, 6, 0);
  await fh.close();
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return filtered('bzip2', file);
  if (head.equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return filtered('xz', file);
  return decompressed(createReadStream(file));
}

export async function isArchive(file: string): Promise<boolean> {
  try {
    const stream = await opened(file);
    let head = Buffer.alloc(0);
    for await (const c of stream) {
      head = Buffer.concat([head, c as Buffer]);
      if (head.length >= 512) break;
    }
    stream.destroy();
    return head.length >= 512 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } catch {
    return false;
  }
}

export async function extractArchive(file: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  await unpackLayer(await opened(file), into);
}
