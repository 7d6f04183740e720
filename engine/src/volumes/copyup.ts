import { promises as fs } from 'node:fs';
import { run } from './exec.js';

/**
 * dockerd's copy-up: when an empty volume is mounted over a path that has content in the image, the content is
 * copied into the volume first. `cp -a` keeps ownership, modes, timestamps, symlinks, hard links and xattrs, and
 * the volume root takes the image directory's own owner and mode. Returns whether anything was copied.
 */
export async function copyUp(imageDir: string, volumeDir: string): Promise<boolean> {
  const src = await fs.stat(imageDir).catch(() => undefined);
  if (!src?.isDirectory()) return false;
  const existing = await fs.readdir(volumeDir).catch(() => ['?']);
  if (existing.length > 0) return false;
  const entries = await fs.readdir(imageDir);
  if (entries.length > 0) await run('cp', ['-a', '--', `${imageDir}/.`, `${volumeDir}/`]);
  await fs.chown(volumeDir, src.uid, src.gid);
  await fs.chmod(volumeDir, src.mode & 0o7777);
  return entries.length > 0;
}
