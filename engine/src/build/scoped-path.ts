/**
 * Paths inside an image's root filesystem as a process in it would see them: symlinks are followed, but always
 * relative to that root (an absolute target, or `..` above `/`, stays inside), so a hostile image cannot make the
 * builder write outside of it.
 */
import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgument } from '../base/errors.js';

/** Host path for `p` (absolute inside the image) under `root`; the last component is followed only if asked. */
export async function resolveInRoot(root: string, p: string, followLast = true): Promise<string> {
  const pending = p.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const candidate = path.join(root, ...done, c);
    const st = await lstat(candidate).catch(() => undefined);
    if (st?.isSymbolicLink() && (pending.length > 0 || followLast)) {
      if (++hops > 255) throw new InvalidArgument(`too many levels of symbolic links: ${p}`);
      const target = await readlink(candidate);
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
      continue;
    }
    done.push(c);
  }
  return path.join(root, ...done);
}
