import { existsSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import type { BerthPaths } from '../paths.js';
import { vmFiles } from './vm-files.js';

/**
 * What a factory reset deletes, in the order shown to the user: the VM's data disk (every image, container,
 * volume and network), its SSH keys, its boot snapshots, and the logs. Settings stay. `berth reset` and the dashboard share this list.
 */
export function factoryResetTargets(paths: BerthPaths): string[] {
  const files = vmFiles(paths);
  return [files.dataDisk, files.sshDir, files.bootSnapshotDir, paths.logs];
}

/**
 * Deletes the targets; the VM must be stopped. Log files are emptied rather than removed: the host process doing
 * the reset (and a dashboard started by scripts/start.sh) keep appending to theirs, and an unlinked file would
 * swallow everything they write afterwards.
 */
export function deleteFactoryData(paths: BerthPaths): void {
  for (const target of factoryResetTargets(paths)) {
    if (target !== paths.logs) {
      rmSync(target, { recursive: true, force: true });
      continue;
    }
    if (!existsSync(target)) continue;
    for (const name of readdirSync(target)) {
      const file = path.join(target, name);
      if (statSync(file).isFile()) truncateSync(file, 0);
      else rmSync(file, { recursive: true, force: true });
    }
  }
}
