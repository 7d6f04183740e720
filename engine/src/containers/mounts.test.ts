import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveMounts, volumeMountSource } from './mounts.js';
import type { ContainerConfig, HostConfig, MountPoint } from './types.js';

let vol: string;
const mount = (Subpath?: string): MountPoint => ({ Type: 'volume', Name: 'v', Source: vol, Destination: '/x', Mode: '', RW: true, Propagation: '', ...(Subpath ? { Subpath } : {}) });

beforeAll(async () => {
  vol = await mkdtemp(path.join(os.tmpdir(), 'berth-vol-'));
  await mkdir(path.join(vol, 'www/site'), { recursive: true });
  await symlink('/etc', path.join(vol, 'escape'));
});
afterAll(() => rm(vol, { recursive: true, force: true }));

describe('volumeMountSource (volume-subpath)', () => {
  it('is the volume itself without a subpath, and the directory inside it with one', async () => {
    expect(await volumeMountSource(mount())).toBe(vol);
    expect(await volumeMountSource(mount('www/site'))).toBe(path.join(vol, 'www/site'));
  });

  it('keeps a symlink inside the volume (it never reaches the host)', async () => {
    await expect(volumeMountSource(mount('escape'))).rejects.toThrow(`cannot access path ${path.join(vol, 'etc')}`);
  });

  it('refuses a subpath that does not exist', async () => {
    await expect(volumeMountSource(mount('nope'))).rejects.toThrow(/error while mounting volume '.*': cannot access path .*\/nope: no such file or directory/);
  });
});

describe('resolveMounts (-v binds)', () => {
  const binds = (Binds: string[]) => resolveMounts('c1', {} as ContainerConfig, { Binds } as HostConfig, undefined, () => { throw new Error('no containers'); });

  it('binds an existing file as it is, and creates a missing directory', async () => {
    await writeFile(path.join(vol, 'engine.sock'), '');
    const [file] = await binds([`${path.join(vol, 'engine.sock')}:/var/run/docker.sock`]);
    expect(file).toMatchObject({ Type: 'bind', Source: path.join(vol, 'engine.sock'), Destination: '/var/run/docker.sock', RW: true });
    const [made] = await binds([`${path.join(vol, 'made/here')}:/data:ro`]);
    expect(made).toMatchObject({ Type: 'bind', Source: path.join(vol, 'made/here'), RW: false });
    expect((await stat(path.join(vol, 'made/here'))).isDirectory()).toBe(true);
  });
});
