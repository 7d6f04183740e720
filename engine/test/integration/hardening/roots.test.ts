// Finding 1 of issue 17 (the class of moby CVE-2021-41091): an ordinary host user must not reach anything under
// berthd's roots: no setuid binary out of a container's root filesystem or its writable layer, no image layer, no
// container environment in a bundle's config.json, no blob, no image table. The roots' parent is made traversable
// here (the rig's run dir is a 0700 temp dir; /var/lib and /run are 0755), so only berthd's own modes stand in the way.
import { chmod, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { createLocalUser, type LocalUser } from './local-user.js';

let rig: ContainerRig;
let user: LocalUser;
let id: string;
beforeAll(async () => {
  rig = await startContainerRig();
  await chmod(path.dirname(rig.berthd.socket), 0o755);
  user = createLocalUser();
  id = await rig.ok(['run', '-d', '--name', 'victim', '-e', 'SECRET=hunter2', rig.busybox, 'sleep', '3600']);
  // What container root can do in its own /tmp: a setuid-root copy of the host's `id`.
  await rig.ok(['cp', '/usr/bin/id', 'victim:/tmp/id']);
  await rig.ok(['exec', 'victim', 'chmod', '4755', '/tmp/id']);
}, 180_000);
afterAll(async () => {
  user?.remove();
  await rig?.stop();
});

async function aSnapshotFs(): Promise<string> {
  const root = path.join(rig.berthd.dataRoot, 'snapshots');
  const dirs = (await readdir(root)).filter((d) => /^[0-9a-f]{64}$/.test(d));
  expect(dirs.length).toBeGreaterThan(0);
  return path.join(root, dirs[0]!, 'fs');
}

describe('an unprivileged host user', () => {
  it('cannot run a setuid binary from a running container, through its mounted root or its writable layer', async () => {
    const bundle = path.join(rig.berthd.execRoot, 'c', id.slice(0, 16));
    for (const binary of [path.join(bundle, 'rootfs', 'tmp', 'id'), path.join(rig.berthd.dataRoot, 'containers', id, 'rw', 'upper', 'tmp', 'id')]) {
      // The binary is there (root sees it) …
      expect((await stat(binary)).mode & 0o4000).toBe(0o4000);
      // … and the user gets no further than the root's door.
      const r = await user.run([binary]);
      expect(r.stdout).not.toContain('euid=0');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('Permission denied');
    }
  });

  it('cannot write into a running container, through its mounted root or its writable layer', async () => {
    const bundle = path.join(rig.berthd.execRoot, 'c', id.slice(0, 16));
    for (const tmp of [path.join(bundle, 'rootfs', 'tmp'), path.join(rig.berthd.dataRoot, 'containers', id, 'rw', 'upper', 'tmp')]) {
      const r = await user.run(['touch', path.join(tmp, 'planted')]);
      expect(r.code, tmp).not.toBe(0);
      expect(r.stderr).toContain('Permission denied');
    }
    // The container sees nothing new in its /tmp.
    expect(await rig.ok(['exec', 'victim', 'ls', '/tmp'])).toBe('id');
  });

  it("cannot read a container's environment from its bundle", async () => {
    const config = path.join(rig.berthd.execRoot, 'c', id.slice(0, 16), 'config.json');
    const r = await user.run(['cat', config]);
    expect(r.stdout).not.toContain('hunter2');
    expect(r.stderr).toContain('Permission denied');
    expect((await stat(config)).mode & 0o777).toBe(0o600);
  });

  it('cannot list an image layer, read a blob or the image table', async () => {
    const blobs = path.join(rig.berthd.dataRoot, 'content', 'blobs', 'sha256');
    const blob = path.join(blobs, (await readdir(blobs))[0]!);
    for (const argv of [['ls', await aSnapshotFs()], ['cat', blob], ['cat', path.join(rig.berthd.dataRoot, 'images', 'db.json')]]) {
      const r = await user.run(argv);
      expect(r.code, argv.join(' ')).not.toBe(0);
      expect(r.stderr).toContain('Permission denied');
    }
  });

  it('meets roots as dockerd keeps them: data root 0710, exec root 0700, bundles 0700', async () => {
    expect((await stat(rig.berthd.dataRoot)).mode & 0o777).toBe(0o710);
    expect((await stat(rig.berthd.execRoot)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(rig.berthd.execRoot, 'c', id.slice(0, 16)))).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(rig.berthd.dataRoot, 'snapshots'))).mode & 0o777).toBe(0o710);
  });
});

describe('containers behind the narrowed roots', () => {
  it('still run as a non-root user with a volume, and see their files', async () => {
    await rig.ok(['volume', 'create', 'shared']);
    const out = await rig.ok(['run', '--rm', '--user', '1000:1000', '-v', 'shared:/data', '--tmpfs', '/scratch', rig.busybox, 'sh', '-c',
      'echo hi > /scratch/f && cat /scratch/f && ls /bin/busybox && id -u']);
    expect(out.split('\n')).toEqual(['hi', '/bin/busybox', '1000']);
  });
});
