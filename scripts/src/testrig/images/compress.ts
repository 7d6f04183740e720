import { spawnSync } from 'node:child_process';
import zlib from 'node:zlib';
import type { Compression } from './types.js';

export const ZSTD_BINARY = 'zstd';

/**
 * Compresses a layer tar. Both outputs are deterministic for the same input on the same zlib/zstd version: Node's
 * gzip header carries mtime 0, and zstd reading stdin writes no file name or time.
 */
export function compress(data: Buffer, compression: Compression): Buffer {
  if (compression === 'none') return data;
  if (compression === 'gzip') return zlib.gzipSync(data, { level: 6 });
  return runZstd(['-q', '-c', '-3', '--no-progress'], data);
}

export function decompress(data: Buffer, compression: Compression): Buffer {
  if (compression === 'none') return data;
  if (compression === 'gzip') return zlib.gunzipSync(data);
  return runZstd(['-q', '-d', '-c'], data);
}

function runZstd(args: string[], input: Buffer): Buffer {
  const res = spawnSync(ZSTD_BINARY, args, { input, maxBuffer: 512 * 1024 * 1024 });
  if (res.error) throw new Error(`zstd: ${res.error.message} (is Debian's zstd installed?)`);
  if (res.status !== 0) throw new Error(`zstd exited ${res.status}: ${res.stderr.toString()}`);
  return res.stdout;
}

/** zstd's version line, part of the fixture cache key (a different zstd may compress differently). */
export function zstdVersion(): string {
  const res = spawnSync(ZSTD_BINARY, ['--version']);
  return res.status === 0 ? res.stdout.toString().trim() : 'zstd-missing';
}
