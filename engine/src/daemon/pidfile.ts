import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Conflict } from '../base/errors.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writes the pidfile, refusing (as dockerd does) when it names a process that is still running. */
export async function writePidfile(file: string): Promise<() => Promise<void>> {
  const existing = await fs.readFile(file, 'utf8').catch(() => '');
  const pid = Number.parseInt(existing.trim(), 10);
  if (Number.isInteger(pid) && pid !== process.pid && isRunning(pid)) {
    throw new Conflict(`pid file found, ensure berthd is not running or delete ${file} (it names running process ${pid})`);
  }
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${process.pid}\n`);
  return async () => {
    const now = await fs.readFile(file, 'utf8').catch(() => '');
    if (now.trim() === String(process.pid)) await fs.rm(file, { force: true });
  };
}
