import { execFile } from 'node:child_process';
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ContainerContext } from './context.js';
import { containerRootfsPaths } from './rootfs-access.js';

const execFileP = promisify(execFile);

/** `GET /containers/{id}/changes` entries: Kind 0 modified, 1 added, 2 deleted. */
export interface Change {
  Path: string;
  Kind: 0 | 1 | 2;
}

const MODIFY = 0;
const ADD = 1;
const DELETE = 2;

/**
 * Paths dockerd keeps in a container's init layer (so they never show in `docker diff`): Berth has no init layer,
 * and the runtime creates these as mount points in the writable layer instead.
 */
export const INIT_PATHS = new Set([
  '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/console', '/proc', '/sys', '/.dockerenv',
  '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/etc/mtab',
]);

/** Directories in the writable layer marked opaque (recreated after a delete), by absolute host path. */
async function opaqueDirs(upper: string): Promise<Set<string>> {
  const named = await execFileP('getfattr', ['-R', '-P', '-n', 'trusted.overlay.opaque', '--absolute-names', upper], { maxBuffer: 16 << 20 })
    .catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  const out = new Set<string>();
  let file = '';
  for (const line of named.stdout.split('\n')) {
    if (line.startsWith('# file: ')) file = line.slice(8).replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    else if (line.trim() === 'trusted.overlay.opaque="y"') out.add(file);
  }
  return out;
}

function isWhiteout(st: BigIntStats): boolean {
  return st.isCharacterDevice() && st.rdev === 0n;
}

/** The image's version of a path (top-most layer that has it), or undefined when absent or whited out. */
async function lowerStat(layers: string[], p: string): Promise<BigIntStats | undefined> {
  for (const layer of [...layers].reverse()) {
    const own = await lstat(path.join(layer, p), { bigint: true }).catch(() => undefined);
    if (!own) continue;
    if (isWhiteout(own)) return undefined;
    return stat(path.join(layer, p), { bigint: true }).catch(() => own);
  }
  return undefined;
}

function sameDir(a: BigIntStats, b: BigIntStats): boolean {
  const sameTime = a.mtimeNs === b.mtimeNs || (a.mtimeNs / 1_000_000_000n === b.mtimeNs / 1_000_000_000n && (a.mtimeNs % 1_000_000_000n === 0n || b.mtimeNs % 1_000_000_000n === 0n));
  return a.size === b.size && a.mode === b.mode && sameTime;
}

/**
 * dockerd's overlay changes: walk the writable layer in lexical order; whiteouts and opaque directories that hid
 * an image directory are deletions, paths the image has are modifications (directories only when their size,
 * mode or mtime differ), others additions, and the parent of an addition or deletion counts as modified.
 */
export async function diffUpperDir(upper: string, layers: string[]): Promise<Change[]> {
  const opaque = await opaqueDirs(upper);
  const walk = async (dir: string): Promise<{ changes: Change[]; excluded: boolean }> => {
    const out: Change[] = [];
    let excluded = false;
    const names = (await readdir(path.join(upper, dir)).catch(() => [] as string[])).sort();
    for (const name of names) {
      const p = path.posix.join(dir, name);
      if (INIT_PATHS.has(p)) {
        excluded = true;
        continue;
      }
      const st = await lstat(path.join(upper, p), { bigint: true });
      const lower = await lowerStat(layers, p);
      let change: Change | undefined;
      if (isWhiteout(st) || (st.isDirectory() && opaque.has(path.join(upper, p)) && lower)) change = { Path: p, Kind: DELETE };
      else if (!lower) change = { Path: p, Kind: ADD };
      else if (!(st.isDirectory() && lower.isDirectory() && sameDir(st, lower))) change = { Path: p, Kind: MODIFY };
      const sub = st.isDirectory() && !isWhiteout(st) ? await walk(p) : { changes: [], excluded: false };
      // A directory in the layer only because the runtime made mount points in it is not a change of the user's.
      const onlyMountPoints = change?.Kind === MODIFY && st.isDirectory() && sub.excluded && sub.changes.length === 0;
      if (change && !onlyMountPoints) out.push(change);
      out.push(...sub.changes);
      if (sub.excluded && sub.changes.length === 0) excluded = true;
    }
    return { changes: out, excluded };
  };
  const changes = (await walk('/')).changes;
  // The parent of an addition or deletion is modified even when its own figures did not change.
  const recorded = new Set(changes.map((c) => c.Path));
  const result: Change[] = [];
  for (const c of changes) {
    const parent = path.posix.dirname(c.Path);
    if (c.Kind !== MODIFY && parent !== '/' && !recorded.has(parent)) {
      result.push({ Path: parent, Kind: MODIFY });
      recorded.add(parent);
    }
    result.push(c);
  }
  return result;
}

/** `docker diff`: the container's changes against its image. */
export async function containerChanges(ctx: ContainerContext, idOrName: string): Promise<Change[]> {
  const record = ctx.store.get(idOrName);
  const layers = (await ctx.images.resolve(record.ImageId)).layers;
  return diffUpperDir(containerRootfsPaths(ctx, record).upper, layers);
}
