import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SystemError } from '../base/errors.js';
import { run } from '../runtime/oci/run.js';

/** Where a container's writable layer lives (data root) and where its root filesystem is mounted (exec root). */
export interface RootfsPaths {
  upper: string;
  work: string;
  /** An empty lower dir, for images with no layers (overlayfs needs at least one). */
  empty: string;
  merged: string;
}

export function rootfsPaths(containerDir: string, bundleDir: string): RootfsPaths {
  const rw = path.join(containerDir, 'rw');
  return {
    upper: path.join(rw, 'upper'),
    work: path.join(rw, 'work'),
    empty: path.join(rw, 'empty'),
    merged: path.join(bundleDir, 'rootfs'),
  };
}

export async function prepareRootfsDirs(p: RootfsPaths): Promise<void> {
  for (const dir of [p.upper, p.work, p.empty]) await fs.mkdir(dir, { recursive: true, mode: 0o755 });
}

async function isMountpoint(target: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => line.split(' ')[4] === target);
}

/**
 * The overlay mount options for the image layers (base first in `layers`) under the container's writable layer at
 * `merged`, or undefined when it is mounted already (a start after a crash).
 */
export async function rootfsMountData(p: RootfsPaths, layers: string[]): Promise<string | undefined> {
  await fs.mkdir(p.merged, { recursive: true, mode: 0o755 });
  if (await isMountpoint(p.merged)) return undefined;
  // overlayfs lists the top-most lower dir first.
  const lower = layers.length > 0 ? [...layers].reverse().join(':') : p.empty;
  return `lowerdir=${lower},upperdir=${p.upper},workdir=${p.work}`;
}

/** Mounts the root filesystem here (when something must see it before the monitor runs: volume copy-up). */
export async function mountRootfs(p: RootfsPaths, layers: string[]): Promise<void> {
  const options = await rootfsMountData(p, layers);
  if (options === undefined) return;
  const r = await run('mount', ['-t', 'overlay', 'overlay', '-o', options, p.merged]);
  if (r.code !== 0) {
    throw new SystemError(`error mounting the container's root filesystem: ${r.stderr.trim() || `mount exited ${r.code}`}`);
  }
}

export async function unmountRootfs(p: RootfsPaths): Promise<void> {
  if (!(await isMountpoint(p.merged))) return;
  const r = await run('umount', [p.merged]);
  // Busy (a process still holds a file): detach it so removal can go on, as dockerd does.
  if (r.code !== 0) await run('umount', ['-l', p.merged]);
}
