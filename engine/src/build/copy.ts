/**
 * Copies COPY/ADD sources into a mounted image root: directories by their contents, files by name, symlinks as
 * symlinks; owner root:root unless `--chown` (or, for ADD archives, the archive's own), `--chmod` on every entry,
 * modification times kept. An existing entry at a destination is replaced, never written through.
 */
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { chmod, copyFile, lchown, lstat, lutimes, mkdir, readdir, readlink, rm, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import type { IgnoreMatcher } from './dockerignore.js';
import { resolveInRoot } from '../base/rooted-fs.js';
import type { Source } from './sources.js';

export interface Identity {
  uid: number;
  gid: number;
}

export interface CopyOptions {
  /** The owner for everything copied; undefined keeps the source's owner. */
  identity: Identity | undefined;
  chmod: number | undefined;
  /** Skips ignored context paths while copying a directory (paths relative to the source root). */
  ignore?: IgnoreMatcher | undefined;
  /** `--exclude` patterns, matched against paths relative to the directory being copied. */
  exclude?: IgnoreMatcher | undefined;
}

/** Creates `dir` (absolute inside the image) and its missing parents, owned by `identity`; returns the host path. */
export async function mkdirInRoot(root: string, dir: string, identity: Identity): Promise<string> {
  const parts = dir.split('/').filter((c) => c !== '' && c !== '.');
  let current = '/';
  for (const part of parts) {
    current = path.posix.join(current, part);
    const host = await resolveInRoot(root, current);
    const st = await lstat(host).catch(() => undefined);
    if (st?.isDirectory()) continue;
    if (st) await rm(host, { force: true });
    await mkdir(host, { mode: 0o755 });
    await lchown(host, identity.uid, identity.gid);
  }
  return resolveInRoot(root, dir);
}

async function clearFor(target: string, dir: boolean): Promise<void> {
  const st = await lstat(target).catch(() => undefined);
  if (!st) return;
  if (dir && st.isDirectory()) return;
  await rm(target, { recursive: true, force: true });
}

/** Copies one entry (a directory without its contents); returns the source's stat. */
async function copyEntry(srcAbs: string, target: string, o: CopyOptions, isTop: boolean): Promise<Stats> {
  const st = await lstat(srcAbs);
  const uid = o.identity?.uid ?? st.uid;
  const gid = o.identity?.gid ?? st.gid;
  const mode = o.chmod ?? st.mode & 0o7777;
  if (st.isDirectory()) {
    await clearFor(target, true);
    await mkdir(target, { recursive: true, mode: 0o755 });
    // The top directory's contents are what is copied; its own metadata applies only when it was created here.
    if (!isTop) {
      await lchown(target, uid, gid);
      await chmod(target, mode);
    }
  } else if (st.isSymbolicLink()) {
    await clearFor(target, false);
    await symlink(await readlink(srcAbs), target);
    await lchown(target, uid, gid);
    await lutimes(target, st.atime, st.mtime);
  } else if (st.isFile()) {
    await clearFor(target, false);
    await copyFile(srcAbs, target, constants.COPYFILE_FICLONE);
    await lchown(target, uid, gid);
    // copyFile gives the source's mode already; chown clears set-id bits, which chmod puts back.
    if (o.chmod !== undefined || (mode & 0o6000) !== 0) await chmod(target, mode);
    await utimes(target, st.atime, st.mtime);
  }
  return st;
}

/** At most this many entries of a tree are copied at once (the disk and the thread pool stay busy). */
const COPY_CONCURRENCY = 16;

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

async function copyTree(srcAbs: string, srcRel: string, target: string, o: CopyOptions, under = ''): Promise<void> {
  const entries = await readdir(srcAbs, { withFileTypes: true });
  await eachLimited(entries, COPY_CONCURRENCY, async (entry) => {
    const name = entry.name;
    const rel = srcRel ? `${srcRel}/${name}` : name;
    const inner = under ? `${under}/${name}` : name;
    if (o.exclude?.ignores(inner)) return;
    if (o.ignore?.ignores(rel) && (!o.ignore.hasExclusions || !entry.isDirectory())) return;
    const s = path.join(srcAbs, name);
    const t = path.join(target, name);
    const st = await copyEntry(s, t, o, false);
    if (st.isDirectory()) {
      await copyTree(s, rel, t, o, inner);
      await utimes(t, st.atime, st.mtime);
    }
  });
}

/**
 * Copies one source to `dest` (absolute inside the image). `destIsDir`: the destination names a directory
 * (trailing slash, several sources, or an existing directory), so a file lands inside it under its own name.
 */
export async function copySource(root: string, src: Source, dest: string, destIsDir: boolean, o: CopyOptions): Promise<void> {
  const owner = o.identity ?? { uid: 0, gid: 0 };
  if (src.dir) {
    const target = await mkdirInRoot(root, dest, owner);
    await copyTree(src.abs, src.rel, target, o);
    return;
  }
  const finalPath = destIsDir ? path.posix.join(dest, path.posix.basename(src.rel || src.abs)) : dest;
  await mkdirInRoot(root, path.posix.dirname(finalPath), owner);
  const parent = await resolveInRoot(root, path.posix.dirname(finalPath));
  await copyEntry(src.abs, path.join(parent, path.posix.basename(finalPath)), o, false);
}

/** Whether anything is at `dest` in the image (following symlinks inside it). */
export async function existsInRoot(root: string, dest: string): Promise<boolean> {
  return !!(await lstat(await resolveInRoot(root, dest)).catch(() => undefined));
}

/** Whether `dest` already is a directory in the image (following symlinks inside it). */
export async function isDirInRoot(root: string, dest: string): Promise<boolean> {
  const st = await lstat(await resolveInRoot(root, dest)).catch(() => undefined);
  return !!st?.isDirectory();
}
