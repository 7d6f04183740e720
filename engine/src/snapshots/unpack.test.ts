import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decompressed } from './decompress.js';
import { unpackLayer } from './unpack.js';

type Entry = Partial<Header> & { name: string; body?: string };

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  for (const e of entries) {
    const { body, ...h } = e;
    await new Promise<void>((res, rej) => p.entry({ mtime: new Date(1_000_000_000_000), ...h }, body ?? '', (err) => (err ? rej(err) : res())));
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

let work: string;
let root: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'unpack-'));
  root = join(work, 'layer');
  execFileSync('mkdir', ['-p', root]);
});
afterEach(() => rm(work, { recursive: true, force: true }));

describe('unpackLayer', () => {
  it('writes files, dirs, symlinks, hardlinks with owners, modes and mtimes', async () => {
    const tar = await tarOf([
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/tool', body: 'hello', mode: 0o4755, uid: 1000, gid: 1001 },
      { name: 'bin/link', type: 'link', linkname: 'bin/tool' },
      { name: 'etc/mtab', type: 'symlink', linkname: '/proc/mounts' },
    ]);
    const r = await unpackLayer(Readable.from(tar), root);
    expect(r.size).toBe(5);
    const st = await stat(join(root, 'bin/tool'));
    expect(st.mode & 0o7777).toBe(0o4755);
    expect([st.uid, st.gid]).toEqual([1000, 1001]);
    expect(st.mtimeMs).toBe(1_000_000_000_000);
    expect(st.nlink).toBe(2);
    expect(await readlink(join(root, 'etc/mtab'))).toBe('/proc/mounts');
    expect((await stat(join(root, 'bin'))).mtimeMs).toBe(1_000_000_000_000);
  });

  it('turns whiteouts into overlay whiteouts and opaque markers into the xattr', async () => {
    const tar = await tarOf([
      { name: 'etc/.wh.gone', body: '' },
      { name: 'var/.wh..wh..opq', body: '' },
    ]);
    await unpackLayer(Readable.from(tar), root);
    const wh = await lstat(join(root, 'etc/gone'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(execFileSync('getfattr', ['--only-values', '-n', 'trusted.overlay.opaque', join(root, 'var')]).toString()).toBe('y');
    expect(await readdir(join(root, 'var'))).toEqual([]);
  });

  it.each([
    ['a parent directory escape', [{ name: '../evil', body: 'x' }], /escapes the layer root/],
    ['an absolute path', [{ name: '/tmp/evil', body: 'x' }], /absolute path/],
    [
      'a write through a symlink',
      [
        { name: 'esc', type: 'symlink' as const, linkname: '/tmp' },
        { name: 'esc/evil', body: 'x' },
      ],
      /symlink; refusing/,
    ],
    ['a hardlink to outside', [{ name: 'h', type: 'link' as const, linkname: '../../etc/passwd' }], /escapes the layer root/],
    ['a hardlink to an absent file', [{ name: 'h', type: 'link' as const, linkname: 'etc/passwd' }], /not a file in this layer/],
  ])('rejects %s and writes nothing outside', async (_n, entries, msg) => {
    const tar = await tarOf(entries as Entry[]);
    await expect(unpackLayer(Readable.from(tar), root)).rejects.toThrow(msg);
    expect(await readdir(work)).toEqual(['layer']);
    await expect(stat('/tmp/evil')).rejects.toThrow();
  });

  it('decompresses gzip and zstd by magic bytes', async () => {
    const tar = await tarOf([{ name: 'f', body: 'zz' }]);
    const z = execFileSync('zstd', ['-c', '-q'], { input: tar });
    for (const blob of [gzipSync(tar), z, tar]) {
      const dir = join(work, `l${blob[0]}`);
      execFileSync('mkdir', ['-p', dir]);
      await unpackLayer(await decompressed(Readable.from([blob])), dir);
      expect(await readFile(join(dir, 'f'), 'utf8')).toBe('zz');
    }
  });
});
