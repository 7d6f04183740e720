import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RootedFs } from './rooted-fs.js';

let dir: string;
let view: RootedFs;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rooted-fs-'));
  const root = path.join(dir, 'root');
  const vol = path.join(dir, 'vol');
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await mkdir(path.join(root, 'data'), { recursive: true });
  await mkdir(vol);
  await writeFile(path.join(vol, 'inside.txt'), 'v');
  await symlink('/', path.join(root, 'toroot'));
  await symlink('../../../../etc', path.join(root, 'up'));
  await symlink('/data/inside.txt', path.join(root, 'tovol'));
  await symlink('/etc', path.join(vol, 'back'));
  view = new RootedFs(root, [{ destination: '/data', source: vol }]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RootedFs', () => {
  it('clamps absolute and climbing links to the view', async () => {
    expect(await view.resolve('/toroot/etc/passwd')).toBe('/etc/passwd');
    expect(await view.resolve('/up/passwd')).toBe('/etc/passwd');
    expect(await view.resolve('/../../../etc')).toBe('/etc');
    expect(view.hostPath('/etc/passwd')).toBe(path.join(dir, 'root', 'etc', 'passwd'));
  });

  it('maps paths under a mount to its source, and links inside a mount back to the view', async () => {
    expect(view.hostPath(await view.resolve('/tovol'))).toBe(path.join(dir, 'vol', 'inside.txt'));
    expect(await view.resolve('/data/back')).toBe('/etc');
    expect(await view.resolve('/tovol', { followLast: false })).toBe('/tovol');
    expect(view.isMountPoint('/data')).toBe(true);
  });

  it('refuses a host directory that resolves outside the view', async () => {
    await expect(view.assertInside('/toroot')).rejects.toThrow(/escapes/);
    await expect(view.assertInside('/etc')).resolves.toBeUndefined();
  });
});
