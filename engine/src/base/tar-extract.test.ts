import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RootedFs } from './rooted-fs.js';
import { extractIntoView } from './tar-extract.js';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; linkname?: string; body?: string };

async function tar(entries: Entry[]): Promise<Readable> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    if (!e.type || e.type === 'file') p.entry({ name: e.name, mode: 0o640 }, e.body ?? 'x');
    else p.entry({ name: e.name, type: e.type, linkname: e.linkname ?? '', mode: 0o755 });
  }
  p.finalize();
  await done;
  return Readable.from([Buffer.concat(chunks)]);
}

let dir: string;
let root: string;
let outside: string;
let view: RootedFs;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tar-extract-'));
  root = path.join(dir, 'root');
  outside = path.join(dir, 'outside');
  await mkdir(path.join(root, 'dest'), { recursive: true });
  await mkdir(outside);
  view = new RootedFs(root);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const opts = { noOverwriteDirNonDir: false };

describe('extractIntoView', () => {
  it('extracts files, directories and links with their modes', async () => {
    await extractIntoView(await tar([
      { name: 'd/', type: 'directory' },
      { name: 'd/f.txt', body: 'hello' },
      { name: 'd/l', type: 'symlink', linkname: 'f.txt' },
      { name: 'd/h', type: 'link', linkname: 'd/f.txt' },
    ]), view, '/dest', opts);
    expect(await readFile(path.join(root, 'dest/d/f.txt'), 'utf8')).toBe('hello');
    expect((await lstat(path.join(root, 'dest/d/f.txt'))).mode & 0o777).toBe(0o640);
    expect(await readlink(path.join(root, 'dest/d/l'))).toBe('f.txt');
    expect((await lstat(path.join(root, 'dest/d/h'))).nlink).toBe(2);
  });

  it('refuses names and links that climb above the extraction point', async () => {
    for (const e of [
      { name: '../escape' },
      { name: 'a/../../escape' },
      { name: 'up', type: 'symlink', linkname: '../../outside' },
      { name: 'hl', type: 'link', linkname: '../../outside/x' },
    ] as Entry[]) {
      await expect(extractIntoView(await tar([e]), view, '/dest', opts)).rejects.toThrow(/outside of/);
    }
    expect(existsSync(path.join(root, 'escape'))).toBe(false);
  });

  it('never writes through a symlink to the host, whether the archive or the tree put it there', async () => {
    await symlink(outside, path.join(root, 'dest', 'planted'));
    await extractIntoView(await tar([
      { name: 'own', type: 'symlink', linkname: outside },
      { name: 'own/a', body: 'a' },
      { name: 'planted/b', body: 'b' },
      { name: '/abs', body: 'c' },
    ]), view, '/dest', opts);
    expect(existsSync(path.join(outside, 'a'))).toBe(false);
    expect(existsSync(path.join(outside, 'b'))).toBe(false);
    // Both links resolve inside the root: the files land under <root><outside>.
    expect(await readFile(path.join(root, outside, 'a'), 'utf8')).toBe('a');
    expect(await readFile(path.join(root, outside, 'b'), 'utf8')).toBe('b');
    expect(await readFile(path.join(root, 'dest', 'abs'), 'utf8')).toBe('c');
  });

  it('replaces an existing symlink with a file instead of writing through it', async () => {
    await symlink(path.join(outside, 'target'), path.join(root, 'dest', 'f'));
    await extractIntoView(await tar([{ name: 'f', body: 'new' }]), view, '/dest', opts);
    expect(existsSync(path.join(outside, 'target'))).toBe(false);
    expect((await lstat(path.join(root, 'dest', 'f'))).isFile()).toBe(true);
  });

  it('noOverwriteDirNonDir keeps directories and non-directories apart', async () => {
    await mkdir(path.join(root, 'dest', 'sub'));
    await expect(extractIntoView(await tar([{ name: 'sub', body: 'x' }]), view, '/dest', { noOverwriteDirNonDir: true }))
      .rejects.toThrow('cannot overwrite directory');
    await extractIntoView(await tar([{ name: 'sub', body: 'x' }]), view, '/dest', opts);
    expect((await lstat(path.join(root, 'dest', 'sub'))).isFile()).toBe(true);
  });
});
