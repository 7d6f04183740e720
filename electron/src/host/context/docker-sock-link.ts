import { lstatSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';

export const SYSTEM_DOCKER_SOCKET = '/var/run/docker.sock';

export type LinkResult = 'created' | 'kept' | 'taken-by-other' | 'failed';

/**
 * The optional `/var/run/docker.sock` → `~/.berth/run/docker.sock` symlink (off by default), for tools that ignore
 * contexts. Never replaces anything that is not already our link: another product's socket stays untouched.
 */
export function linkSystemSocket(target: string, link = SYSTEM_DOCKER_SOCKET): LinkResult {
  try {
    const st = lstatSync(link, { throwIfNoEntry: false });
    if (st) {
      if (st.isSymbolicLink() && readlinkSync(link) === target) return 'kept';
      return 'taken-by-other';
    }
    symlinkSync(target, link);
    return 'created';
  } catch {
    return 'failed';
  }
}

/** `berth uninstall`: removes the link only when it is ours. */
export function unlinkSystemSocket(target: string, link = SYSTEM_DOCKER_SOCKET): boolean {
  const st = lstatSync(link, { throwIfNoEntry: false });
  if (!st?.isSymbolicLink() || readlinkSync(link) !== target) return false;
  rmSync(link);
  return true;
}
