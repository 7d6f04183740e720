import type { BigIntStats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Forbidden, InvalidArgument, NotFound } from '../base/errors.js';
import type { RootedFs } from '../base/rooted-fs.js';
import { extractIntoView } from '../base/tar-extract.js';
import { packTree } from '../base/tar-pack.js';
import { readUserDb, resolveUser } from '../runtime/index.js';
import { publish, type ContainerContext } from './context.js';
import { decompressed } from '../snapshots/decompress.js';
import { pathStat, type PathStat } from './path-stat.js';
import { containerMounts, containerView, withFrozenContainer, withMountedRootfs, type ViewMount } from './rootfs-access.js';
import type { ContainerRecord } from './types.js';

/** Go's archive.PreserveTrailingDotOrSeparator: `/etc/.` and `/etc/` keep meaning "the directory's contents". */
export function containerAbsPath(p: string): string {
  const cleaned = path.posix.join('/', p);
  if ((p.endsWith('/.') || p === '.') && !cleaned.endsWith('/.')) return cleaned === '/' ? '/.' : `${cleaned}/.`;
  if (p.endsWith('/') && !cleaned.endsWith('/')) return `${cleaned}/`;
  return cleaned;
}

/** Go's filepath.Base. */
function goBase(p: string): string {
  if (p === '') return '.';
  const trimmed = p.replace(/\/+$/, '');
  return trimmed === '' ? '/' : path.posix.basename(trimmed);
}

interface Located {
  absPath: string;
  /** Symlink-free view path of the entry itself (a final symlink is not followed). */
  resolved: string;
  st: BigIntStats;
}

function notFound(p: string, idOrName: string): NotFound {
  return new NotFound(`Could not find the file ${p} in container ${idOrName}`);
}

/** dockerd's ResolvePath + Lstat: the parent is resolved in the container, the last element is not followed. */
async function locate(view: RootedFs, p: string, idOrName: string): Promise<Located> {
  const absPath = containerAbsPath(p);
  const slash = absPath.lastIndexOf('/');
  const dir = absPath.slice(0, slash + 1);
  const base = absPath.slice(slash + 1);
  const resolvedDir = await view.resolve(dir, { followLast: true });
  const resolved = base === '' || base === '.' ? resolvedDir : path.posix.join(resolvedDir, base);
  let st: BigIntStats;
  try {
    st = await lstat(view.hostPath(resolved), { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound(p, idOrName);
    throw err;
  }
  if ((base === '' || base === '.') && !st.isDirectory()) throw new InvalidArgument(`not a directory: ${p}`);
  return { absPath, resolved, st };
}

async function statOf(view: RootedFs, loc: Located): Promise<PathStat> {
  const linkTarget = loc.st.isSymbolicLink() ? await view.resolve(loc.absPath, { followLast: true }) : '';
  return pathStat(goBase(loc.absPath), loc.st, linkTarget);
}

function requirePath(p: string | null | undefined): string {
  if (!p) throw new InvalidArgument('bad parameter: path cannot be empty');
  return p;
}

/** `HEAD /containers/{id}/archive`: the stat of a path in the container (running or not). */
export async function statContainerPath(ctx: ContainerContext, idOrName: string, p: string | null): Promise<PathStat> {
  const wanted = requirePath(p);
  const record = ctx.store.get(idOrName);
  return withMountedRootfs(ctx, record, async (merged) => {
    const view = containerView(merged, containerMounts(ctx, record));
    return statOf(view, await locate(view, wanted, idOrName));
  });
}

/**
 * `GET /containers/{id}/archive`: `open(stat)` is called once the path is found (so errors still become proper
 * responses) and returns where the tar goes; the tar's top entry is named after the path's last element.
 */
export async function getContainerArchive(
  ctx: ContainerContext,
  idOrName: string,
  p: string | null,
  open: (stat: PathStat) => Writable,
): Promise<void> {
  const wanted = requirePath(p);
  const rec = ctx.store.get(idOrName);
  await withMountedRootfs(ctx, rec, async (merged) => {
    const view = containerView(merged, containerMounts(ctx, rec));
    const loc = await locate(view, wanted, idOrName);
    const stat = await statOf(view, loc);
    const out = open(stat);
    const rebaseName = loc.absPath === '/' || loc.absPath === '/.' ? '.' : stat.name;
    await withFrozenContainer(ctx, rec, async () => {
      const tar = packTree(view, loc.resolved, { rebaseName, enterMounts: true });
      await Promise.all([tar.done, pipeline(tar.stream, out)]);
    });
  });
  publish(ctx, rec, 'archive-path');
}

export interface PutArchiveOptions {
  noOverwriteDirNonDir: boolean;
  copyUIDGID: boolean;
}

/** dockerd's checkIfPathIsInAVolume plus the read-only rootfs rule: 403 where the container could not write. */
function checkWritable(rec: ContainerRecord, mounts: ViewMount[], view: RootedFs, target: string): void {
  const mount = view.mountFor(target);
  const owner = mount ? mounts.find((m) => path.posix.normalize(m.destination) === mount.destination) : undefined;
  if (owner && !owner.rw) throw new Forbidden('mounted volume is marked read-only');
  if (!owner && rec.HostConfig.ReadonlyRootfs) throw new Forbidden('container rootfs is marked read-only');
}

async function ownerFor(view: RootedFs, rec: ContainerRecord): Promise<{ uid: number; gid: number }> {
  const db = await readUserDb(view.hostPath('/'));
  const user = resolveUser(rec.Config.User || '0', db);
  return { uid: user.uid, gid: user.gid };
}

/** `PUT /containers/{id}/archive`: extracts a tar (plain, gzip, bzip2 or xz) into a directory of the container. */
export async function putContainerArchive(
  ctx: ContainerContext,
  idOrName: string,
  p: string | null,
  body: Readable,
  opts: PutArchiveOptions,
): Promise<void> {
  const wanted = requirePath(p);
  const rec = ctx.store.get(idOrName);
  await withMountedRootfs(ctx, rec, async (merged) => {
    const mounts = containerMounts(ctx, rec);
    const view = containerView(merged, mounts);
    // Unlike stat, the destination's last element is followed: extracting "into" a symlink to a directory works.
    const target = await view.resolve(containerAbsPath(wanted), { followLast: true });
    const st = await lstat(view.hostPath(target)).catch(() => undefined);
    if (!st) throw notFound(wanted, idOrName);
    if (!st.isDirectory()) throw new InvalidArgument('extraction point is not a directory');
    checkWritable(rec, mounts, view, target);
    const chown = opts.copyUIDGID ? await ownerFor(view, rec) : undefined;
    const tar = await decompressed(body);
    await withFrozenContainer(ctx, rec, () =>
      extractIntoView(tar, view, target, { noOverwriteDirNonDir: opts.noOverwriteDirNonDir, ...(chown ? { chown } : {}) }),
    );
  });
  publish(ctx, rec, 'extract-to-dir');
}
