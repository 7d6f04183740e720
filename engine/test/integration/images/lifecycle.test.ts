import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  pushTestImages,
  startBerthd,
  startRegistry,
  type PushedTestImages,
  type RunningBerthd,
  type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';
import { api, messages } from './helpers.js';

describe('tag, rmi, prune, push, save/load and import with the docker CLI', () => {
  let registry: TestRegistry;
  let images: PushedTestImages;
  let daemon: RunningBerthd;
  let work: string;
  const run = (...args: string[]) => docker(args, { host: daemon.dockerHost });
  const ok = async (...args: string[]) => {
    const r = await run(...args);
    expect(r.code, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout;
  };
  const idOf = async (ref: string) => (await ok('image', 'inspect', '--format', '{{.Id}}', ref)).trim();

  beforeAll(async () => {
    registry = await startRegistry();
    images = await pushTestImages(registry);
    daemon = await startBerthd({ insecureRegistries: [registry.host] });
    work = await mkdtemp(join(tmpdir(), 'images-lifecycle-'));
  });
  afterAll(async () => {
    await daemon?.stop();
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('tags and removes: untag first, delete with the last reference, dockerd conflicts by ID', async () => {
    const src = images.busybox.reference;
    await ok('pull', src);
    const id = await idOf(src);
    await ok('tag', src, 'berth/one:v1');
    await ok('tag', src, 'other/two');
    expect(await idOf('berth/one:v1')).toBe(id);

    const conflict = await run('rmi', id.slice(7, 19));
    expect(conflict.stderr).toContain(`conflict: unable to delete ${id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);

    expect((await ok('rmi', 'berth/one:v1')).trim()).toBe('Untagged: berth/one:v1');
    expect((await ok('rmi', 'other/two')).trim()).toBe('Untagged: other/two:latest');
    const last = await ok('rmi', src);
    expect(last).toContain(`Untagged: ${src}`);
    expect(last).toContain(`Untagged: ${registry.host}/berth-test/busybox@${images.busybox.digest}`);
    expect(last).toContain(`Deleted: ${id}`);
    expect((await run('image', 'inspect', src)).stderr).toContain(`No such image: ${src}`);
    // The layer leaves the store at once; its renamed dir is deleted in the background.
    expect((await readdir(join(daemon.dataRoot, 'snapshots'))).filter((n) => !n.startsWith('.removed-'))).toEqual(['.ingest']);
  });

  it('prunes dangling images and, with -a, every unused one', async () => {
    await ok('pull', images.busyboxOci.reference);
    await ok('pull', images.config.reference);
    await ok('tag', images.config.reference, 'keep/me');
    await ok('rmi', images.config.reference);
    // busyboxOci is tagged, config is still tagged as keep/me: nothing dangling yet.
    expect((await ok('image', 'prune', '-f')).trim()).toMatch(/Total reclaimed space: 0B/);
    await ok('pull', images.whiteouts.reference);
    const all = await ok('image', 'prune', '-a', '-f');
    expect(all).toContain('untagged: keep/me:latest');
    expect(all).toMatch(/Total reclaimed space: [1-9]/);
    expect((await ok('images', '-q')).trim()).toBe('');
  });

  it('pushes to a second repository with a cross-repo mount, and the registry holds the same manifest digest', async () => {
    await ok('pull', images.busybox.reference);
    const target = `${registry.host}/berth-copy/busybox:v1`;
    await ok('tag', images.busybox.reference, target);
    const out = await ok('push', target);
    expect(out).toContain(`The push refers to repository [${registry.host}/berth-copy/busybox]`);
    expect(out).toMatch(/Mounted from berth-test\/busybox/);
    expect(out).toContain(`v1: digest: ${images.busybox.digest} size:`);
    const again = await ok('push', target);
    expect(again).toMatch(/Layer already exists/);
    const skopeo = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${target}`]);
    expect(`sha256:${execFileSync('sha256sum', { input: skopeo }).toString().split(' ')[0]}`).toBe(images.busybox.digest);
    const inspect = await ok('image', 'inspect', '--format', '{{json .RepoDigests}}', target);
    expect(inspect).toContain(`${registry.host}/berth-copy/busybox@${images.busybox.digest}`);
  });

  it('round-trips save, rmi and load to the same image ID, tags included', async () => {
    await ok('pull', images.whiteouts.reference);
    const ref = images.whiteouts.reference;
    const id = await idOf(ref);
    const tarPath = join(work, 'saved.tar');
    await ok('save', '-o', tarPath, ref);
    const members = execFileSync('tar', ['-tf', tarPath]).toString().split('\n');
    for (const m of ['manifest.json', 'index.json', 'oci-layout', 'repositories']) expect(members).toContain(m);
    await ok('rmi', ref);
    const loaded = await ok('load', '-i', tarPath);
    expect(loaded).toContain(`Loaded image: ${ref}`);
    expect(await idOf(ref)).toBe(id);
  });

  it('loads an OCI layout archive written by skopeo', async () => {
    const ociTar = join(work, 'oci.tar');
    execFileSync('skopeo', ['copy', '--src-tls-verify=false', `docker://${images.zstd.reference}`, `oci-archive:${ociTar}:berth/oci:zstd`]);
    const res = await api(daemon.socket, 'POST', '/v1.47/images/load', {
      headers: { 'Content-Type': 'application/x-tar' },
      body: await readFile(ociTar),
    });
    const msgs = messages(res.body);
    expect(msgs.find((m) => m.error)).toBeUndefined();
    expect(msgs.map((m) => m.stream).join('')).toBe('Loaded image: berth/oci:zstd\n');
    expect((await ok('image', 'inspect', '--format', '{{.Os}}/{{.Architecture}}', 'berth/oci:zstd')).trim()).toBe('linux/amd64');
  });

  it('imports a rootfs tar with changes and a message', async () => {
    const rootfs = join(work, 'rootfs');
    execFileSync('mkdir', ['-p', join(rootfs, 'etc')]);
    execFileSync('sh', ['-c', `echo imported > ${join(rootfs, 'etc/marker')}`]);
    const tarPath = join(work, 'rootfs.tar');
    execFileSync('tar', ['-C', rootfs, '-cf', tarPath, '.']);
    const out = await ok('import', '--change', 'ENV A=b', '--change', 'CMD ["/bin/true"]', '-m', 'from a test', tarPath, 'berth/imported:v1');
    expect(out.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const cfg = JSON.parse(await ok('image', 'inspect', '--format', '{{json .Config}}', 'berth/imported:v1')) as { Env: string[]; Cmd: string[] };
    expect(cfg.Env).toEqual(['A=b']);
    expect(cfg.Cmd).toEqual(['/bin/true']);
    expect(await ok('history', '--format', '{{.Comment}}', 'berth/imported:v1')).toContain('from a test');

    // Nothing to mount from: the layer and config are uploaded, and the pushed image pulls back with the same ID.
    const target = `${registry.host}/berth-imported/img:v1`;
    await ok('tag', 'berth/imported:v1', target);
    const pushed = await ok('push', target);
    expect(pushed).toMatch(/[0-9a-f]{12}: Pushed/);
    const id = await idOf(target);
    await ok('rmi', target, 'berth/imported:v1');
    await ok('pull', target);
    expect(await idOf(target)).toBe(id);
  });

  it('answers /distribution with the registry descriptor and platforms', async () => {
    const res = await api(daemon.socket, 'GET', `/v1.47/distribution/${images.multiarch.reference}/json`, { headers: { 'X-Registry-Auth': 'e30=' } });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString()) as { Descriptor: { digest: string }; Platforms: { architecture: string }[] };
    expect(body.Descriptor.digest).toBe(images.multiarch.digest);
    expect(body.Platforms.map((p) => p.architecture).sort()).toEqual(['amd64', 'arm64']);
  });
});
