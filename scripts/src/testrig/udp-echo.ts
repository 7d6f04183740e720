import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'udp-echo.c');

/**
 * Builds the static UDP echo server (busybox has none) at `out`, for `docker cp` into a busybox container:
 * `udp-echo PORT` answers every datagram with "echo:" followed by it.
 */
export function buildUdpEcho(out: string): string {
  const cc = spawnSync('gcc', ['-static', '-O2', '-o', out, SOURCE], { encoding: 'utf8' });
  // gcc and libc6-dev are set-up's Debian packages (scripts/deps/apt-packages.txt): missing is a broken set-up.
  if (cc.error) throw new Error(`gcc is missing (scripts/setup.sh installs gcc and libc6-dev): ${cc.error.message}`);
  if (cc.status !== 0) throw new Error(`gcc udp-echo.c failed: ${cc.stderr}`);
  return out;
}
