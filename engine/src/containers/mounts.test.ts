import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { volumeMountSource } from './mounts.js';
import type { MountPoint } from './types.js';

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
