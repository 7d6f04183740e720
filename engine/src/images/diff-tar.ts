/**
 * An overlay upper dir (a container's writable layer, or a directory laid out the same way) as a layer tar in the
 * image spec's changeset format: overlay whiteouts (char devices 0/0) become `.wh.<name>`, directories marked
 * `trusted.overlay.opaque=y` get a `.wh..wh..opq` entry, hard links inside the dir stay links. Entries come sorted
 * so the same tree always gives the same bytes (and so the same diff ID). `stats` is filled while the tar streams,
 * for a caller that turns the dir itself into the layer's snapshot (what to strip so it equals the unpacked tar).
 */
import { execFile } from 'node:child_process';
import { createReadStream, lstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { pack, type Header as Headers } from 'tar-stream';
import { readSmallFileSync, SMALL_FILE_MAX } from '../base/small-files.js';


const run = promisify(execFile);

/** Every xattr under `root` in one `getfattr` call: path → name → raw value. */
async function readXattrs(root: string): Promise<Map<string, Map<string, Buffer>>> {
  const out = new Map<string, Map<string, Buffer>>();
  const r = await run('getfattr', ['-R', '-P', '-d', '-m', '-', '-e', 'hex', '--absolute-names', root], {
    maxBuffer: 64 << 20,
  }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  let current: Map<string, Buffer> | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) {
      current = new Map();
      out.set(line.slice('# file: '.length).replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), current);
      continue;
    }
    const eq = line.indexOf('=0x');
    if (current && eq > 0) current.set(line.slice(0, eq), Buffer.from(line.slice(eq + 3), 'hex'));
  }
  return out;
}

function headerBase(rel: string, st: Stats): Partial<Headers> & { name: string } {
  return {
    name: rel,
    mode: Number(st.mode) & 0o7777,
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtime: st.mtime,
    uname: '',
    gname: '',
  };
}

export interface DiffTarStats {
  /** Bytes of regular file content (hard links counted once): the unpacked size dockerd reports. */
  size: number;
  /** Relative path → overlay-private xattrs (`trusted.overlay.*` but `opaque`) the tar leaves out. */
  overlayXattrs: Map<string, string[]>;
}

export function emptyDiffTarStats(): DiffTarStats {
  return { size: 0, overlayXattrs: new Map() };
}

/** Streams the tar of `root`'s contents (names relative to it), leaving out the `exclude`d relative paths. */
export function upperDirTar(root: string, exclude: ReadonlySet<string> = new Set(), stats: DiffTarStats = emptyDiffTarStats()): Readable {
  const p = pack();
  const entry = (h: Partial<Headers> & { name: string }, body?: Buffer | Readable): Promise<void> =>
    new Promise((resolve, reject) => {
      if (body && !Buffer.isBuffer(body)) {
        const sink = p.entry(h, (err) => (err ? reject(err) : resolve()));
        // pipeline, not pipe: an entry destroyed with the pack (its reader gone) must not raise an unhandled error.
        pipeline(body, sink, (err) => {
          if (err) reject(err);
        });
        return;
      }
      p.entry(h, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  const work = async (): Promise<void> => {
    const xattrs = await readXattrs(root);
    const links = new Map<string, string>();
    const walk = async (dir: string, prefix: string): Promise<void> => {
      const names = (await readdir(dir)).sort().filter((name) => !exclude.has(prefix + name));
      for (const name of names) {
        const abs = join(dir, name);
        const rel = prefix + name;
        // Metadata and small files by direct system calls (`small-files.ts`): per entry, a thread-pool round
        // trip cost more than the call. The loop still yields whenever the tar's reader is a buffer behind.
        const st = lstatSync(abs);
        const attrs = xattrs.get(abs);
        const pax: Record<string, string> = {};
        const privateAttrs: string[] = [];
        for (const [k, v] of attrs ?? []) {
          if (!k.startsWith('trusted.overlay.')) pax[`SCHILY.xattr.${k}`] = v.toString('latin1');
          else if (k !== 'trusted.overlay.opaque') privateAttrs.push(k);
        }
        if (privateAttrs.length) stats.overlayXattrs.set(rel, privateAttrs);
        const base = { ...headerBase(rel, st), ...(Object.keys(pax).length ? { pax } : {}) };
        if (st.isCharacterDevice() && st.rdev === 0) {
          await entry({ ...base, name: `${prefix}.wh.${name}`, type: 'file', size: 0, mode: 0o644 });
        } else if (st.isDirectory()) {
          await entry({ ...base, type: 'directory' });
          if (attrs?.get('trusted.overlay.opaque')?.toString() === 'y') {
            await entry({ ...headerBase(`${rel}/.wh..wh..opq`, st), type: 'file', size: 0, mode: 0o644 });
          }
          await walk(abs, `${rel}/`);
        } else if (st.isSymbolicLink()) {
          await entry({ ...base, type: 'symlink', linkname: await readlink(abs) });
        } else if (st.isFile()) {
          const key = `${st.dev}:${st.ino}`;
          const first = st.nlink > 1 ? links.get(key) : undefined;
          if (first !== undefined) {
            await entry({ ...base, type: 'link', linkname: first, size: 0 });
            continue;
          }
          if (st.nlink > 1) links.set(key, rel);
          stats.size += Number(st.size);
          const size = Number(st.size);
          let body: Buffer | Readable | undefined;
          try {
            body = size === 0 ? undefined : size <= SMALL_FILE_MAX ? readSmallFileSync(abs, size) : createReadStream(abs);
          } catch (err) {
            throw new Error(`${rel} changed while its layer was written`, { cause: err });
          }
          await entry({ ...base, type: 'file', size }, body);
        } else if (st.isFIFO()) {
          await entry({ ...base, type: 'fifo' });
        } else if (st.isCharacterDevice() || st.isBlockDevice()) {
          const rdev = Number(st.rdev);
          await entry({
            ...base,
            type: st.isCharacterDevice() ? 'character-device' : 'block-device',
            devmajor: (rdev >> 8) & 0xfff,
            devminor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
          });
        }
      }
    };
    await walk(root, '');
    p.finalize();
  };
  work().catch((err: unknown) => p.destroy(err as Error));
  return p as unknown as Readable;
}
