import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'udp-echo.c');

/** Why buildUdpEcho() cannot run here ('' when it can): tests skip with this reason. */
export function udpEchoUnavailable(): string {
  return spawnSync('gcc', ['--version']).status === 0 ? '' : 'gcc is missing (apt-get install gcc libc6-dev)';
}

/**
 * Builds the static UDP echo server (busybox has none) at `out`, for `docker cp` into a busybox container:
 * `udp-echo PORT` answers every datagram with "echo:" followed by it.
 */
export function buildUdpEcho(out: string): string {
  const cc = spawnSync('gcc', ['-static', '-O2', '-o', out, SOURCE], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc udp-echo.c failed: ${cc.stderr}`);
  return out;
}
