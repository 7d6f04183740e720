/**
 * The fast way to COPY a whole directory of a received context (`COPY . /app/`) into a directory the COPY itself
 * creates: the files are hard-linked into the step's upper dir instead of copied through the overlay, so the
 * layer costs no second write of the context's bytes. dockerd's BuildKit shares the context's files with the
 * snapshot the same way.
 *
 * Only safe when linking gives exactly what a copy would (`linkable`): the context was made by the engine's own
 * receiver (entries owned by root, already filtered by the client, and nothing writes to it afterwards: a
 * `RUN --mount=type=bind,rw` of it writes to an overlay above it), no `--chown`, `--chmod` or `--exclude`, and
 * the destination did not exist (so nothing in the image below is merged with, and no link in the image is
 * followed). The overlay must be unmounted before the upper dir is written to directly.
 */
import { execFile } from 'node:child_process';
import { chmod, lchown, lstat, realpath, utimes } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LinkCheck {
  /** The context was written by the engine's FileSync receiver. */
  received: boolean;
  /** The COPY has one source, a directory of that context, and no flags that change what is copied. */
  wholeDirOnly: boolean;
  /** The source dir and the step's upper dir. */
  source: string;
  upper: string;
}

/** Whether the COPY can link (see the module comment); the destination is checked separately, once mounted. */
export async function linkable(c: LinkCheck): Promise<boolean> {
  if (!c.received || !c.wholeDirOnly) return false;
  // The received files are owned by the engine's user; a copy would make them root's.
  if (process.getuid?.() !== 0 || process.getgid?.() !== 0) return false;
  const [a, b] = await Promise.all([lstat(c.source), lstat(c.upper)]);
  return a.isDirectory() && a.dev === b.dev;
}

/**
 * Links the contents of `source` into `rel` of `upper` (a directory just made in an unmounted upper dir; no
 * symlink on the way to it), directories made anew and symlinks copied as they are; the target keeps its own
 * mode, owner and times.
 */
export async function linkTree(source: string, upper: string, rel: string): Promise<void> {
  const target = path.join(upper, rel);
  const before = await lstat(target);
  const plain = !rel.startsWith('..') && !path.isAbsolute(rel) && (await realpath(target)) === path.join(await realpath(upper), rel);
  if (!before.isDirectory() || !plain) throw new Error(`COPY: ${rel} is not a plain directory of the new layer`);
  // GNU cp: -a keeps modes, times and links as links (never followed); -l links files instead of copying them;
  // -T copies the contents of source into target.
  await run('cp', ['-a', '-l', '-T', '--', source, target], { maxBuffer: 1 << 20 });
  await chmod(target, before.mode & 0o7777);
  await lchown(target, before.uid, before.gid);
  await utimes(target, before.atime, before.mtime);
}
