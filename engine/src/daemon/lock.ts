import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Conflict } from '../base/errors.js';

export interface DataRootLock {
  release(): Promise<void>;
}

/**
 * Makes sure two daemons never share a data root. The lock is an abstract unix socket named after the data root:
 * binding it is atomic and the kernel releases it when the process dies, even by kill -9, so a crash never leaves a
 * stale lock behind. A small file beside it says who holds it, for the error message.
 */
export async function acquireDataRootLock(dataRoot: string): Promise<DataRootLock> {
  const real = await fs.realpath(dataRoot);
  const name = `\0berthd-data-root-${createHash('sha256').update(real).digest('hex').slice(0, 32)}`;
  const holderFile = path.join(real, 'berthd.lock');
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(name, () => resolve());
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const holder = await fs.readFile(holderFile, 'utf8').catch(() => '');
    const pid = /"pid":(\d+)/.exec(holder)?.[1];
    throw new Conflict(
      `data root ${real} is in use by another berthd${pid ? ` (pid ${pid})` : ''}: stop it, or start this one with another --data-root`,
    );
  }
  server.unref();
  await fs.writeFile(holderFile, `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`);
  return {
    async release() {
      await fs.rm(holderFile, { force: true });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
