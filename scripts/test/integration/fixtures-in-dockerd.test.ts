import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  keepMeta,
  pushTestImages,
  startDockerd,
  startRegistry,
  testImages,
  writeDockerArchive,
  type PushedTestImages,
  type RunningDockerd,
  type TestRegistry,
} from '../../src/testrig/index.js';

// The real dockerd is the judge of the fixtures: what it pulls, loads and runs is what the catalog promises Berth's
// image tests. The peer is the rig's dockerd (Debian bookworm's docker.io, unpacked into .cache/toolchain).
describe('fixtures as a real dockerd sees them', () => {
  let dockerd: RunningDockerd;
  let registry: TestRegistry;
  let images: PushedTestImages;
  const cli = (...args: string[]) => docker(args, { host: dockerd.dockerHost });
  const sh = async (ref: string, script: string) => {
    const res = await cli('run', '--rm', '--network', 'none', '--entrypoint', '/bin/sh', ref, '-c', script);
    expect(res.stderr, script).toBe('');
    expect(res.code, script).toBe(0);
    return res.stdout;
  };

  beforeAll(async () => {
    [dockerd, registry] = await Promise.all([startDockerd(), startRegistry()]);
    images = await pushTestImages(registry);
  });
  afterAll(async () => {
    await registry?.stop();
    await dockerd?.stop();
  });

  it('pulls every runnable image by tag and gets the catalog digest', async () => {
    for (const img of [images.busybox, images.busyboxOci, images.config, images.whiteouts, images.uncompressed, images.zstd, images.multiarch, images.multiarchList]) {
      const pull = await cli('pull', img.reference);
      expect(pull.code, `${img.ref}: ${pull.stderr}`).toBe(0);
      expect(pull.stdout).toContain(`Digest: ${img.digest}`);
    }
  });

  it('runs the busybox layer whether gzip, zstd or uncompressed', async () => {
    for (const img of [images.busybox, images.busyboxOci, images.uncompressed, images.zstd]) {
      expect(await sh(img.reference, 'cat /hello.txt; id -un')).toBe('hello from berth-test\nroot\n');
    }
  });

  it('applies whiteouts, the opaque dir and the re-added directory as the expectations say', async () => {
    const expectations = images.whiteouts.expect!;
    const present = await sh(images.whiteouts.reference, `for p in ${expectations.present!.join(' ')}; do test -e $p && echo $p; done`);
    expect(present.trim().split('\n')).toEqual(expectations.present);
    const absent = await sh(images.whiteouts.reference, `for p in ${expectations.absent!.join(' ')}; do test -e $p || echo $p; done`);
    expect(absent.trim().split('\n')).toEqual(expectations.absent);
    const meta = await sh(images.whiteouts.reference, 'stat -c "%a %u %g %Y %h" /data/keep.txt /data/setuid-tool; readlink /data/symlink');
    const keep = `${keepMeta.mode.toString(8)} ${keepMeta.uid} ${keepMeta.gid} ${keepMeta.mtime.getTime() / 1000} 2`;
    expect(meta).toBe(`${keep}\n4755 0 0 1704067200 1\nkeep.txt\n`);
  });

  it('runs the config image with its entrypoint, user and working dir', async () => {
    const res = await cli('run', '--rm', '--network', 'none', images.config.reference);
    expect(res.stdout).toBe('entrypoint: hello\n');
    expect(await sh(images.config.reference, 'id -un; pwd; echo $GREETING')).toBe('berth\n/home/berth\nhello world\n');
  });

  it('picks the amd64 entry of the index and of the manifest list', async () => {
    for (const img of [images.multiarch, images.multiarchList]) expect(await sh(img.reference, 'cat /etc/berth-arch')).toBe('amd64\n');
  });

  it('loads a docker-save tar written by the rig', async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-load-'));
    try {
      const { catalog } = await testImages();
      const tar = await writeDockerArchive(catalog.whiteouts.image, path.join(tmp, 'save.tar'), { tags: ['loaded/whiteouts:v1'] });
      const load = await cli('load', '-i', tar);
      expect(load.stdout).toBe('Loaded image: loaded/whiteouts:v1\n');
      expect(await sh('loaded/whiteouts:v1', 'cat /data/added.txt')).toBe('added\n');
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
