import tar from 'tar-stream';

/** 2024-01-01T00:00:00Z: every entry without its own mtime gets this one, so a layer's digest never drifts. */
export const FIXED_MTIME = new Date(Date.UTC(2024, 0, 1));

interface EntryMeta {
  /** Path inside the layer, without a leading `./` (hostile fixtures may give `../x` or `/x` on purpose). */
  path: string;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: Date;
}

export type LayerEntry =
  | (EntryMeta & { type: 'file'; content: Buffer | string })
  | (EntryMeta & { type: 'dir' })
  | (EntryMeta & { type: 'symlink'; target: string })
  | (EntryMeta & { type: 'hardlink'; target: string });

export const file = (path: string, content: Buffer | string, meta: Omit<EntryMeta, 'path'> = {}): LayerEntry => ({
  type: 'file',
  path,
  content,
  ...meta,
});
export const dir = (path: string, meta: Omit<EntryMeta, 'path'> = {}): LayerEntry => ({ type: 'dir', path, ...meta });
export const symlink = (path: string, target: string): LayerEntry => ({ type: 'symlink', path, target });
export const hardlink = (path: string, target: string): LayerEntry => ({ type: 'hardlink', path, target });

/** An OCI whiteout: deletes `path` (file or directory) from the layers below. */
export const whiteout = (path: string): LayerEntry => {
  const slash = path.lastIndexOf('/');
  return file(`${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`, '');
};

/** An opaque-directory marker: hides everything the layers below had in `dirPath`. */
export const opaque = (dirPath: string): LayerEntry => file(`${dirPath}/.wh..wh..opq`, '');

/** Writes the entries, in the order given, as an uncompressed ustar/pax archive. */
export async function buildLayerTar(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of pack) chunks.push(chunk as Buffer);
  })();
  for (const e of entries) {
    const base = {
      mode: e.mode ?? (e.type === 'dir' ? 0o755 : e.type === 'file' ? 0o644 : 0o777),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      uname: '',
      gname: '',
      mtime: e.mtime ?? FIXED_MTIME,
    };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (e.type === 'file') {
        const content = typeof e.content === 'string' ? Buffer.from(e.content) : e.content;
        pack.entry({ ...base, name: e.path, type: 'file', size: content.length }, content, done);
      } else if (e.type === 'dir') {
        pack.entry({ ...base, name: e.path.endsWith('/') ? e.path : `${e.path}/`, type: 'directory' }, done);
      } else if (e.type === 'symlink') {
        pack.entry({ ...base, name: e.path, type: 'symlink', linkname: e.target }, done);
      } else {
        pack.entry({ ...base, mode: e.mode ?? 0o644, name: e.path, type: 'link', linkname: e.target }, done);
      }
    });
  }
  pack.finalize();
  await collected;
  return Buffer.concat(chunks);
}
