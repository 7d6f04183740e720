import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SystemError } from '../base/errors.js';
import { run } from '../runtime/oci/run.js';

// A container started with `--ipc shareable` keeps its /dev/shm as a tmpfs mounted on the host (in its bundle dir),
// as dockerd keeps it under the container's `mounts/shm`: a container joining its IPC namespace binds the same
// tmpfs, so POSIX shared memory is shared too. (A mount inside another container's mount namespace cannot be
// bind-mounted from outside it.)

export function shareableShmPath(bundleDir: string): string {
  return path.join(bundleDir, 'shm');
}

async function isMountpoint(target: string): Promise<boolean> {
  const info = await fs.readFile('/proc/self/mountinfo', 'utf8');
  return info.split('\n').some((line) => line.split(' ')[4] === target);
}

/** Mounts the shareable /dev/shm of a container (once; a start after a crash finds it mounted) and returns its path. */
export async function mountShareableShm(bundleDir: string, sizeBytes: number): Promise<string> {
  const target = shareableShmPath(bundleDir);
  await fs.mkdir(target, { recursive: true, mode: 0o755 });
  if (await isMountpoint(target)) return target;
  const r = await run('mount', ['-t', 'tmpfs', '-o', `nosuid,nodev,noexec,mode=1777,size=${sizeBytes}`, 'shm', target]);
  if (r.code !== 0) throw new SystemError(`error mounting the container's /dev/shm: ${r.stderr.trim() || `mount exited ${r.code}`}`);
  return target;
}

/** Unmounts it when the container exits or is removed; detached when a joined container still holds it. */
export async function unmountShareableShm(bundleDir: string): Promise<void> {
  const target = shareableShmPath(bundleDir);
  if (!(await isMountpoint(target).catch(() => false))) return;
  const r = await run('umount', [target]);
  if (r.code !== 0) await run('umount', ['-l', target]);
}
