import { constants as fsConstants, createReadStream, type BigIntStats } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { pack, type Header } from 'tar-stream';
import type { RootedFs } from './rooted-fs.js';

export interface PackOptions {
  /** Name of the tree's top entry in the tar (`etc` for `/etc`); '' puts the contents at the tar's root. */
  rebaseName: string;
  /** Whether mounts under the tree are entered (docker cp) or left as their empty mount points (export). */
  enterMounts: boolean;
}

type Headers = Partial<Header> & { name: string };
type TarType = Header['type'];

function typeOf(st: BigIntStats): TarType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'character-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return undefined; // sockets are skipped, as dockerd skips them
}

/**
 * Streams a tree of a rooted view as a tar, the way dockerd's archive package writes it: the tree's top entry is
 * renamed to `rebaseName`, hard-linked files after the first become link entries, symlinks are stored, never
 * followed, and files are opened with O_NOFOLLOW so a path swapped for a link meanwhile is refused.
 */
export function packTree(view: RootedFs, viewPath: string, opts: PackOptions): { stream: Readable; done: Promise<void> } {
  const p = pack();
  const seen = new Map<string, string>();
  const add = (h: Headers, file?: { fd: Awaited<ReturnType<typeof open>>; size: number }): Promise<void> =>
    new Promise((resolve, reject) => {
      if (!file) {
        p.entry(h, (err) => (err ? reject(err) : resolve()));
        return;
      }
      if (file.size === 0) {
        void file.fd.close();
        p.entry({ ...h, size: 0 }, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
        return;
      }
      const sink = p.entry(h, (err) => (err ? reject(err) : resolve()));
      const src = createReadStream('', { fd: file.fd, start: 0, end: file.size - 1, autoClose: true });
      // pipeline, not pipe: when the reader goes away the pack destroys the entry, and an entry error that pipe()
      // re-emits with no listener would end the process.
      pipeline(src, sink as unknown as NodeJS.WritableStream, (err) => {
        if (err) reject(err);
      });
    });

  const entry = async (vp: string, name: string): Promise<void> => {
    const host = view.hostPath(vp);
    const st = await lstat(host, { bigint: true });
    const type = typeOf(st);
    if (!type) return;
    const header: Headers = {
      name: type === 'directory' && name !== '' ? `${name}/` : name,
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: new Date(Number(st.mtimeMs)),
      type,
      size: 0,
    };
    if (name !== '') {
      const key = `${st.dev}:${st.ino}`;
      if (type === 'file' && st.nlink > 1n && seen.has(key)) {
        await add({ ...header, type: 'link', linkname: seen.get(key) as string });
        return;
      }
      if (type === 'file' && st.nlink > 1n) seen.set(key, name);
      if (type === 'symlink') header.linkname = await readlink(host);
      if (type === 'character-device' || type === 'block-device') {
        header.devmajor = Number((st.rdev >> 8n) & 0xfffn);
        header.devminor = Number((st.rdev & 0xffn) | ((st.rdev >> 12n) & 0xfff00n));
      }
      if (type === 'file') {
        const fd = await open(host, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
        const size = Number((await fd.stat({ bigint: true })).size);
        await add({ ...header, size }, { fd, size });
      } else {
        await add(header);
      }
    }
    if (type !== 'directory') return;
    for (const child of (await readdir(host)).sort()) {
      const childView = path.posix.join(vp, child);
      if (!opts.enterMounts && view.mountFor(childView) !== view.mountFor(vp)) continue;
      await entry(childView, name === '' ? child : `${name}/${child}`);
    }
  };

  const done = entry(viewPath, opts.rebaseName).then(
    () => {
      p.finalize();
    },
    (err: unknown) => {
      p.destroy(err as Error);
      throw err;
    },
  );
  return { stream: Readable.from(p as AsyncIterable<Buffer>), done };
}
