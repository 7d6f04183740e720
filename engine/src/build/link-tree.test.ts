// COPY's linking fast path: the received tree's files appear in the new layer's dir as links, with their modes,
// times and symlinks as they are, the target dir keeping its own metadata; never through a link on the way.
import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linkable, linkTree } from './link-tree.js';

describe('linkTree', () => {
  let base: string;
  let src: string;
  let upper: string;
  beforeEach(async () => {
    base = await mkdtemp(path.join(os.tmpdir(), 'berth-link-tree-'));
    src = path.join(base, 'ctx');
    upper = path.join(base, 'upper');
    await mkdir(path.join(src, 'sub'), { recursive: true });
    await writeFile(path.join(src, 'sub', 'f.txt'), 'data');
    await chmod(path.join(src, 'sub', 'f.txt'), 0o640);
    await symlink('../outside', path.join(src, 'sub', 'l'));
    await chmod(src, 0o700);
    await utimes(path.join(src, 'sub'), 1_500_000_000, 1_500_000_000);
    await mkdir(path.join(upper, 'app'), { recursive: true, mode: 0o755 });
    await utimes(path.join(upper, 'app'), 1_600_000_000, 1_600_000_000);
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('links the files, keeps modes, times and symlinks, and leaves the target dir its own mode and times', async () => {
    await linkTree(src, upper, 'app');
    const [a, b] = await Promise.all([stat(path.join(src, 'sub', 'f.txt')), stat(path.join(upper, 'app', 'sub', 'f.txt'))]);
    expect(b.ino).toBe(a.ino);
    expect(b.mode & 0o7777).toBe(0o640);
    expect(await readFile(path.join(upper, 'app', 'sub', 'f.txt'), 'utf8')).toBe('data');
    expect(await readlink(path.join(upper, 'app', 'sub', 'l'))).toBe('../outside');
    expect((await stat(path.join(upper, 'app', 'sub'))).mtimeMs).toBe(1_500_000_000_000);
    const target = await stat(path.join(upper, 'app'));
    expect(target.mode & 0o7777).toBe(0o755);
    expect(target.mtimeMs).toBe(1_600_000_000_000);
  });

  it('refuses a target reached through a symlink, or outside the upper dir', async () => {
    await symlink(path.join(base, 'elsewhere'), path.join(upper, 'via'));
    await mkdir(path.join(base, 'elsewhere'));
    await expect(linkTree(src, upper, 'via')).rejects.toThrow(/not a plain directory/);
    await expect(linkTree(src, upper, '../ctx')).rejects.toThrow(/not a plain directory/);
    await expect(lstat(path.join(base, 'elsewhere', 'sub'))).rejects.toThrow();
  });

  it('is only offered for a received context whose COPY takes the whole dir, on the same filesystem', async () => {
    const check = { received: true, wholeDirOnly: true, source: src, upper };
    expect(await linkable(check)).toBe(process.getuid?.() === 0);
    expect(await linkable({ ...check, received: false })).toBe(false);
    expect(await linkable({ ...check, wholeDirOnly: false })).toBe(false);
    expect(await linkable({ ...check, source: path.join(src, 'sub', 'f.txt') })).toBe(false);
  });
});
