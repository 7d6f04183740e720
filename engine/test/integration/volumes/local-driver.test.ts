import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, stat, symlink, writeFile, chown, chmod, readlink, link } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/base/log.js';
import { EventsService } from '../../../src/events/events.js';
import { VolumeService } from '../../../src/volumes/service.js';
import { isMountPoint } from '../../../src/volumes/local-driver.js';

let dir: string;
let volumes: VolumeService;
const events = new EventsService();

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-vol-'));
  volumes = new VolumeService({ dataRoot: path.join(dir, 'data'), events, log: silentLogger() });
  await volumes.init();
});
afterAll(async () => {
  for (const v of volumes.store.all()) await volumes.remove(v.Name, { force: true }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

describe('the local volume driver', () => {
  it('mounts a bind-style volume on ensure and unmounts it on remove, leaving the source alone', async () => {
    const src = path.join(dir, 'src');
    await mkdir(src);
    await writeFile(path.join(src, 'hello.txt'), 'from the host');
    const v = await volumes.ensure('bound', { driverOpts: { type: 'none', o: 'bind', device: src } });
    expect(await readFile(path.join(v.mountpoint, 'hello.txt'), 'utf8')).toBe('from the host');
    await writeFile(path.join(v.mountpoint, 'back.txt'), 'from the volume');
    expect(await readFile(path.join(src, 'back.txt'), 'utf8')).toBe('from the volume');
    await volumes.remove('bound');
    expect(await isMountPoint(v.mountpoint)).toBe(false);
    expect(await readFile(path.join(src, 'hello.txt'), 'utf8')).toBe('from the host');
  });

  it('mounts a tmpfs volume with its size option', async () => {
    const v = await volumes.ensure('scratch', { driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    const mounts = await readFile('/proc/self/mountinfo', 'utf8');
    const line = mounts.split('\n').find((l) => l.split(' ')[4] === v.mountpoint) ?? '';
    expect(line).toMatch(/ - tmpfs tmpfs .*size=1024k/);
    await volumes.remove('scratch');
  });

  it('refuses to remove a volume in use and reports its users; dangling follows use', async () => {
    await volumes.ensure('shared');
    volumes.acquire('shared', 'c1');
    await expect(volumes.remove('shared')).rejects.toThrow('remove shared: volume is in use - [c1]');
    const df = await volumes.df();
    expect(df.find((v) => v.Name === 'shared')?.UsageData).toEqual({ Size: 0, RefCount: 1 });
    volumes.release('shared', 'c1');
    await volumes.remove('shared');
  });

  it('copies image content into an empty volume keeping owners, modes, links and xattrs', async () => {
    const image = path.join(dir, 'image-dir');
    await mkdir(path.join(image, 'sub'), { recursive: true });
    await writeFile(path.join(image, 'sub', 'f.txt'), 'content');
    await chown(path.join(image, 'sub', 'f.txt'), 1234, 5678);
    await chmod(path.join(image, 'sub', 'f.txt'), 0o640);
    await symlink('sub/f.txt', path.join(image, 'link'));
    await link(path.join(image, 'sub', 'f.txt'), path.join(image, 'hard'));
    await chown(image, 42, 43);
    await chmod(image, 0o750);
    let xattrs = true;
    try {
      execFileSync('setfattr', ['-n', 'user.berth', '-v', 'yes', path.join(image, 'sub', 'f.txt')], { stdio: 'ignore' });
    } catch {
      xattrs = false;
    }
    const v = await volumes.ensure('populated');
    await volumes.copyUp(image, v.mountpoint);
    const f = await stat(path.join(v.mountpoint, 'sub', 'f.txt'));
    expect([f.uid, f.gid, f.mode & 0o777, f.nlink]).toEqual([1234, 5678, 0o640, 2]);
    expect(await readlink(path.join(v.mountpoint, 'link'))).toBe('sub/f.txt');
    const root = await stat(v.mountpoint);
    expect([root.uid, root.gid, root.mode & 0o777]).toEqual([42, 43, 0o750]);
    if (xattrs) {
      expect(execFileSync('getfattr', ['--absolute-names', '--only-values', '-n', 'user.berth', path.join(v.mountpoint, 'sub', 'f.txt')], { encoding: 'utf8' })).toBe('yes');
    }
    // A volume with content is never overwritten.
    await writeFile(path.join(image, 'new.txt'), 'later');
    await volumes.copyUp(image, v.mountpoint);
    await expect(stat(path.join(v.mountpoint, 'new.txt'))).rejects.toThrow();
  });

  it('survives a restart: volumes come back from disk, half-deleted ones do not', async () => {
    await volumes.ensure('persisted', { labels: { k: 'v' } });
    const again = new VolumeService({ dataRoot: path.join(dir, 'data'), events, log: silentLogger() });
    await again.init();
    expect(again.inspect('persisted')).toMatchObject({ Name: 'persisted', Labels: { k: 'v' } });
  });
});
