import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listHostDir } from './host-files.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-hostdir-'));
  await mkdir(path.join(dir, 'b-folder'));
  await writeFile(path.join(dir, 'a.txt'), 'hello');
  await symlink(path.join(dir, 'b-folder'), path.join(dir, 'c-link'));
  await symlink(path.join(dir, 'gone'), path.join(dir, 'd-dangling'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('listHostDir (the dashboard\'s open dialog)', () => {
  it('lists folders first, then files, describing a link by what it points at', async () => {
    const l = await listHostDir(dir);
    expect(l.path).toBe(dir);
    expect(l.parent).toBe(path.dirname(dir));
    expect(l.entries.map((e) => [e.name, e.kind, e.size])).toEqual([
      ['b-folder', 'dir', 0], ['c-link', 'dir', 0], ['a.txt', 'file', 5], ['d-dangling', 'symlink', 0],
    ]);
    expect(l.entries.find((e) => e.name === 'c-link')).toMatchObject({ path: path.join(dir, 'c-link'), linkTarget: path.join(dir, 'b-folder') });
  });

  it('lists a file\'s folder, home for nothing or ~, and the root without a parent', async () => {
    expect((await listHostDir(path.join(dir, 'a.txt'))).path).toBe(dir);
    expect((await listHostDir()).path).toBe(os.homedir());
    expect((await listHostDir('~')).path).toBe(os.homedir());
    expect((await listHostDir('/')).parent).toBeNull();
  });

  it('refuses a relative or missing path with a contract error', async () => {
    await expect(listHostDir('relative/dir')).rejects.toEqual({ code: 'invalid', message: 'relative/dir: not an absolute path' });
    await expect(listHostDir(path.join(dir, 'nope'))).rejects.toEqual({ code: 'not_found', message: `${path.join(dir, 'nope')}: no such file or directory` });
  });
});
