import { spawn } from 'node:child_process';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { Conflict, SystemError } from '../base/errors.js';

export interface DataRootLock {
  release(): Promise<void>;
}

/** The lock file's name inside the data root (which only root can traverse, see daemon/roots.ts). */
export const LOCK_FILE = 'berthd.lock';

/**
 * Makes sure two daemons never share a data root: an exclusive `flock` on a 0600 file inside the data root.
 * Only root can open that file, so no other user can hold the lock or tie up berthd's descriptors through it,
 * and the kernel drops the lock when the last descriptor of its open file goes away, even at kill -9, so a crash
 * never leaves a stale lock. Node has no flock(2): util-linux's `flock -n 3` takes it on the descriptor berthd
 * hands it as its fd 3, which is the same open file description as berthd's own, so the lock outlives that short
 * process and lasts while berthd keeps the file open. Node opens files close-on-exec, so the containers' monitors
 * (which outlive berthd on purpose) never inherit it. The pid is written into the file for the error message;
 * on a full disk that write is skipped rather than keeping the engine from starting.
 */
export async function acquireDataRootLock(dataRoot: string): Promise<DataRootLock> {
  const real = await fs.realpath(dataRoot);
  const file = path.join(real, LOCK_FILE);
  const handle = await fs.open(file, fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_NOFOLLOW, 0o600);
  try {
    await handle.chmod(0o600);
    const code = await flockOnFd(handle.fd);
    if (code === 1) {
      const holder = await fs.readFile(file, 'utf8').catch(() => '');
      const pid = /"pid":(\d+)/.exec(holder)?.[1];
      throw new Conflict(
        `data root ${real} is in use by another berthd${pid ? ` (pid ${pid})` : ''}: stop it, or start this one with another --data-root`,
      );
    }
    if (code !== 0) throw new SystemError(`error locking the data root ${real}: flock exited ${code}`);
    await handle.truncate(0).catch(() => undefined);
    await handle.write(`${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`, 0).catch(() => undefined);
  } catch (err) {
    await handle.close();
    throw err;
  }
  return {
    async release() {
      await handle.truncate(0).catch(() => undefined);
      // Closing the last descriptor of the open file releases the flock.
      await handle.close();
    },
  };
}

/** Runs `flock -xn 3` with `fd` as its fd 3; resolves with its exit code (1: held by someone else). */
function flockOnFd(fd: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('flock', ['-x', '-n', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new SystemError(`error locking the data root: flock: ${err.message} (util-linux's flock is needed)`)));
    child.on('close', (code) => {
      if (code !== 0 && code !== 1 && stderr) reject(new SystemError(`error locking the data root: ${stderr.trim()}`));
      else resolve(code ?? -1);
    });
  });
}
