import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * Bytes under a directory as dockerd's directory.Size counts them: sizes of everything but directories, each hard
 * linked inode once. Used for volume UsageData and containers' SizeRw.
 */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        await walk(p);
        continue;
      }
      const st = await lstat(p, { bigint: true }).catch(() => undefined);
      if (!st) continue;
      if (st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += Number(st.size);
    }
  };
  await walk(dir);
  return total;
}
