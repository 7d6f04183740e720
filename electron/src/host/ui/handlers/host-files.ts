// The user's own folders, listed for the dashboard's open dialog: ddClient's desktopUI.dialog.showOpenDialog in
// browser mode, where no native dialog exists. Only the dashboard (which holds the token) lists; an extension frame
// never calls this, it gets back just the paths the user picked in the dialog.
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FileEntry, HostDirListing } from '../../../shared/types.js';
import type { RequestHandlers } from './types.js';

async function entry(dir: string, name: string): Promise<FileEntry> {
  const full = path.join(dir, name);
  const own = await lstat(full);
  // A link to a folder opens like a folder; a dangling one is listed as what it is.
  const target = own.isSymbolicLink() ? await stat(full).catch(() => undefined) : own;
  const s = target ?? own;
  return {
    name,
    path: full,
    kind: s.isDirectory() ? 'dir' : s.isFile() ? 'file' : s.isSymbolicLink() ? 'symlink' : 'other',
    size: s.isFile() ? s.size : 0,
    mode: s.mode,
    mtime: s.mtimeMs,
    ...(own.isSymbolicLink() ? { linkTarget: await readlink(full) } : {}),
  };
}

/** Lists `dir` (default: the home folder; `~` and `~/…` are the home folder's). */
export async function listHostDir(dir?: string): Promise<HostDirListing> {
  const home = os.homedir();
  const asked = !dir || dir === '~' ? home : dir.startsWith('~/') ? path.join(home, dir.slice(2)) : dir;
  if (!path.isAbsolute(asked)) throw { code: 'invalid', message: `${asked}: not an absolute path` };
  let where = path.resolve(asked);
  const s = await stat(where).catch((e: NodeJS.ErrnoException) => {
    throw { code: e.code === 'ENOENT' ? 'not_found' : 'forbidden', message: `${where}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}` };
  });
  if (!s.isDirectory()) where = path.dirname(where);
  const names = await readdir(where).catch((e: NodeJS.ErrnoException) => {
    throw { code: e.code === 'EACCES' || e.code === 'EPERM' ? 'forbidden' : 'internal', message: `${where}: ${e.message}` };
  });
  // An entry that vanishes or cannot be read while listing is left out rather than failing the folder.
  const entries = (await Promise.all(names.map((n) => entry(where, n).catch(() => undefined)))).filter((e): e is FileEntry => !!e);
  entries.sort((a, b) => Number(b.kind === 'dir') - Number(a.kind === 'dir') || a.name.localeCompare(b.name));
  return { path: where, parent: where === path.parse(where).root ? null : path.dirname(where), entries };
}

export function hostFileHandlers(): Pick<RequestHandlers, 'host.listDir'> {
  return { 'host.listDir': ({ path: dir }) => listHostDir(dir) };
}
