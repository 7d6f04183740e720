import { constants as fsConstants } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, rm, symlink, utimes } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { InvalidArgument } from './errors.js';
import type { RootedFs } from './rooted-fs.js';

export interface ExtractOptions {
  /** dockerd's `noOverwriteDirNonDir`: never replace a directory with a non-directory or the reverse. */
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry (`copyUIDGID`); otherwise the tar's own uid/gid are applied. */
  chown?: { uid: number; gid: number };
}

/** A tar member name made relative to the extraction point, or a breakout error as dockerd words it. */
function relativeName(name: string, dest: string): string {
  const cleaned = path.posix.normalize(name.replace(/^\/+/, '') || '.');
  if (cleaned === '..' || cleaned.startsWith('../')) throw new InvalidArgument(`${JSON.stringify(name)} is outside of ${JSON.stringify(dest)}`);
  return cleaned.replace(/\/+$/, '');
}

function mknod(target: string, kind: 'c' | 'b' | 'p', major = 0, minor = 0): Promise<void> {
  const args = kind === 'p' ? [target, 'p'] : [target, kind, String(major), String(minor)];
  return new Promise((resolve, reject) => {
    const child = spawn('mknod', args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`mknod ${target} failed`))));
  });
}

/**
 * Extracts a tar into a directory of a rooted view (a container's filesystem) as dockerd's archive.Untar does,
 * but without ever letting the host kernel follow a link the archive or the container put there: every parent is
 * resolved inside the view first, and the final component is created with O_EXCL/O_NOFOLLOW after anything in
 * the way was removed. Members naming paths above the extraction point, and links pointing there, are refused.
 */
export async function extractIntoView(tar: Readable, view: RootedFs, destDir: string, opts: ExtractOptions): Promise<void> {
  const ex = extract();
  const feeding = pipeline(tar, ex).catch((err: unknown) => ex.destroy(err as Error));
  const dirTimes: Array<{ host: string; mtime: Date }> = [];
  try {
    for await (const entry of ex) {
      await applyEntry(view, destDir, entry.header, entry, opts, dirTimes);
      entry.resume();
    }
  } catch (err) {
    tar.destroy();
    throw err;
  }
  await feeding;
  // Directory times last: creating their children changed them.
  for (const d of dirTimes.reverse()) await utimes(d.host, d.mtime, d.mtime).catch(() => undefined);
}

/** mkdir -p inside the view, resolving every component there; returns the resolved view path. */
async function ensureDirIn(view: RootedFs, viewDir: string, depth = 0): Promise<string> {
  if (depth > 40) throw new InvalidArgument(`too many levels of symbolic links in ${viewDir}`);
  let current = '/';
  for (const part of viewDir.split('/').filter(Boolean)) {
    const next = await view.resolve(path.posix.join(current, part), { followLast: true });
    const host = view.hostPath(next);
    const st = await lstat(host).catch(() => undefined);
    if (!st) {
      // A link may name a path whose parents do not exist yet: make them first, inside the view.
      const parent = path.posix.dirname(next);
      if (parent !== current) await ensureDirIn(view, parent, depth + 1);
      await view.assertInside(parent);
      await mkdir(host, { mode: 0o755 });
    } else if (!st.isDirectory()) {
      throw new InvalidArgument(`${next}: not a directory`);
    }
    current = next;
  }
  return current;
}

async function applyEntry(
  view: RootedFs,
  destDir: string,
  h: Header,
  body: AsyncIterable<unknown>,
  opts: ExtractOptions,
  dirTimes: Array<{ host: string; mtime: Date }>,
): Promise<void> {
  const type = h.type ?? 'file';
  if (!['file', 'contiguous-file', 'directory', 'symlink', 'link', 'character-device', 'block-device', 'fifo'].includes(type)) return;
  const rel = relativeName(h.name, destDir);
  if (rel === '.') return; // the extraction point itself is left as it is
  const parent = await ensureDirIn(view, path.posix.join(destDir, path.posix.dirname(rel)));
  const target = path.posix.join(parent, path.posix.basename(rel));
  const host = view.hostPath(target);
  await view.assertInside(parent);
  const existing = await lstat(host).catch(() => undefined);
  const isDir = type === 'directory';
  if (existing) {
    if (opts.noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
      throw new InvalidArgument(`cannot overwrite directory ${JSON.stringify(target)} with non-directory ${JSON.stringify(destDir)}`);
    }
    if (opts.noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
      throw new InvalidArgument(`cannot overwrite non-directory ${JSON.stringify(target)} with directory ${JSON.stringify(destDir)}`);
    }
    if (!existing.isDirectory() || !isDir) {
      if (view.isMountPoint(target)) throw new InvalidArgument(`cannot replace mount point ${target}`);
      await rm(host, { recursive: true, force: true });
    }
  }
  switch (type) {
    case 'directory':
      if (!existing?.isDirectory()) await mkdir(host, { mode: 0o755 });
      break;
    case 'file':
    case 'contiguous-file': {
      const fd = await open(host, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
      try {
        for await (const chunk of body) await fd.write(chunk as Buffer);
      } finally {
        await fd.close();
      }
      break;
    }
    case 'symlink': {
      const linkname = h.linkname ?? '';
      // dockerd's rule: a link may point anywhere inside the extraction point (absolute targets count as inside).
      relativeName(path.posix.join(path.posix.dirname(rel), linkname), destDir);
      await symlink(linkname, host);
      break;
    }
    case 'link': {
      const linkRel = relativeName(h.linkname ?? '', destDir);
      const from = await view.resolve(path.posix.join(destDir, linkRel), { followLast: false });
      await view.assertInside(path.posix.dirname(from));
      await link(view.hostPath(from), host);
      break;
    }
    default:
      await mknod(host, type === 'fifo' ? 'p' : type === 'block-device' ? 'b' : 'c', h.devmajor, h.devminor);
  }
  const owner = opts.chown ?? { uid: h.uid ?? 0, gid: h.gid ?? 0 };
  await lchown(host, owner.uid, owner.gid);
  if (type === 'link') return;
  if (type !== 'symlink') await chmod(host, (h.mode ?? 0o644) & 0o7777);
  const mtime = h.mtime ?? new Date();
  if (isDir) dirTimes.push({ host, mtime });
  else await lutimes(host, mtime, mtime);
}
