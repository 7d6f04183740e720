import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWriteFile, readJsonIfExists, safeJoin } from './fsutil.js';
import { resolveInRoot } from './rooted-fs.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'berth-fsutil-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('atomicWriteFile', () => {
  it('replaces content and leaves no temp files behind', async () => {
    const f = path.join(dir, 'state.json');
    await atomicWriteFile(f, '{"v":1}');
    await atomicWriteFile(f, '{"v":2}');
    expect(await readJsonIfExists(f)).toEqual({ v: 2 });
    expect(await fs.readdir(dir)).toEqual(['state.json']);
  });
  it('replaces content the same way without its fsyncs (sync: false), with the mode given', async () => {
    const f = path.join(dir, 'volatile.json');
    await atomicWriteFile(f, '{"v":1}', 0o600, { sync: false });
    await atomicWriteFile(f, '{"v":2}', 0o600, { sync: false });
    expect(await readJsonIfExists(f)).toEqual({ v: 2 });
    expect((await fs.stat(f)).mode & 0o777).toBe(0o600);
    expect(await fs.readdir(dir)).toEqual(['volatile.json']);
  });
  it('reads a missing file as undefined', async () => {
    expect(await readJsonIfExists(path.join(dir, 'nope.json'))).toBeUndefined();
  });
});

describe('safeJoin', () => {
  it('keeps paths inside the root', () => {
    expect(safeJoin('/root', 'a/b')).toBe('/root/a/b');
    expect(safeJoin('/root', '/etc/passwd')).toBe('/root/etc/passwd');
    expect(safeJoin('/root', '../../etc/passwd')).toBe('/root/etc/passwd');
  });
});

describe('resolveInRoot', () => {
  it('follows symlinks but clamps them to the root', async () => {
    await fs.mkdir(path.join(dir, 'etc'));
    await fs.symlink('/etc', path.join(dir, 'link'));
    await fs.symlink('../../../../etc/passwd', path.join(dir, 'etc', 'up'));
    expect(await resolveInRoot(dir, 'link/passwd')).toBe(path.join(dir, 'etc', 'passwd'));
    expect(await resolveInRoot(dir, 'etc/up')).toBe(path.join(dir, 'etc', 'passwd'));
  });
  it('refuses symlink loops', async () => {
    await fs.symlink('b', path.join(dir, 'a'));
    await fs.symlink('a', path.join(dir, 'b'));
    await expect(resolveInRoot(dir, 'a/x')).rejects.toThrow(/too many levels/);
  });
});
