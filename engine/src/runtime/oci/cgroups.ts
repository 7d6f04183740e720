import { existsSync, readFileSync, statfsSync, type Dirent } from 'node:fs';
import { readFile, rmdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * How cgroups are mounted. `hybrid` is v1 controllers with a v2 tree at /sys/fs/cgroup/unified (this dev host);
 * the VM is pure `v2`.
 */
export type CgroupLayout = 'v1' | 'v2' | 'hybrid';

const CGROUP2_SUPER_MAGIC = 0x63677270;

export function detectCgroupLayout(root = '/sys/fs/cgroup'): CgroupLayout {
  if (statfsSync(root).type === CGROUP2_SUPER_MAGIC) return 'v2';
  const unified = join(root, 'unified');
  if (existsSync(unified) && statfsSync(unified).type === CGROUP2_SUPER_MAGIC) return 'hybrid';
  return 'v1';
}

/** Controllers enabled in the hybrid layout's v2 tree (crun refuses to run when there are any). */
export function unifiedControllers(root = '/sys/fs/cgroup'): string[] {
  try {
    return readFileSync(join(root, 'unified', 'cgroup.controllers'), 'utf8').trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * Directories that hold one container's cgroup: one per v1 hierarchy, or the single v2 directory.
 * `cgroupsPath` is the absolute path from the spec (e.g. `/berth/<id>`).
 */
export async function cgroupDirs(cgroupsPath: string, root = '/sys/fs/cgroup'): Promise<string[]> {
  const layout = detectCgroupLayout(root);
  if (layout === 'v2') return [join(root, cgroupsPath)];
  const hierarchies = await readdir(root);
  return hierarchies.map((h) => join(root, h, cgroupsPath)).filter((d) => existsSync(d));
}

/**
 * How many times the kernel's OOM killer fired in a container's cgroup. Read after the container exited and
 * before `delete` removes the cgroup: v2's memory.events and v1's memory.oom_control both count `oom_kill`.
 */
export async function oomKillCount(cgroupsPath: string, root = '/sys/fs/cgroup'): Promise<number> {
  const layout = detectCgroupLayout(root);
  const file = layout === 'v2' ? join(root, cgroupsPath, 'memory.events') : join(root, 'memory', cgroupsPath, 'memory.oom_control');
  try {
    const m = /^oom_kill (\d+)$/m.exec(await readFile(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Removes a cgroup subtree bottom-up (cgroup directories can only be rmdir'ed, children first). */
export async function removeCgroupTree(cgroupsPath: string, root = '/sys/fs/cgroup'): Promise<void> {
  for (const dir of await cgroupDirs(cgroupsPath, root)) await removeDirTree(dir);
}

async function removeDirTree(dir: string): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) await removeDirTree(join(dir, e.name));
  await rmdir(dir).catch(() => undefined);
}
