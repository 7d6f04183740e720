import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
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
import { api, exists, messages, withMergedView } from './helpers.js';

interface Inspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Architecture: string;
  Os: string;
  Size: number;
  Config: { Env: string[]; Cmd: string[]; Entrypoint: string[] | null; User: string; Labels: Record<string, string> | null; WorkingDir: string };
  GraphDriver: { Data: { LowerDir?: string; UpperDir?: string } };
  RootFS: { Layers: string[] };
}

describe('pull with the docker CLI', () => {
  let registry: TestRegistry;
  let images: PushedTestImages;
  let daemon: RunningBerthd;
  const run = (...args: string[]) => docker(args, { host: daemon.dockerHost });
  const ref = (name: keyof PushedTestImages) => images[name].reference;
  const inspect = async (r: string): Promise<Inspect> => {
    const res = await run('image', 'inspect', r);
    expect(res.stderr).toBe('');
    return (JSON.parse(res.stdout) as Inspect[])[0]!;
  };
  const layerDirs = (i: Inspect): string[] => [
    ...(i.GraphDriver.Data.LowerDir ? i.GraphDriver.Data.LowerDir.split(':').reverse() : []),
    i.GraphDriver.Data.UpperDir!,
  ];

  beforeAll(async () => {
    registry = await startRegistry();
    images = await pushTestImages(registry);
    daemon = await startBerthd({ insecureRegistries: [registry.host] });
  });
  afterAll(async () => {
    await daemon?.stop();
    await registry?.stop();
  });

  it('pulls with the progress lines the CLI renders, then images, inspect and history show it', async () => {
    const res = await run('pull', ref('busybox'));
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/latest: Pulling from berth-test\/busybox/);
    expect(res.stdout).toMatch(/[0-9a-f]{12}: Pull complete/);
    expect(res.stdout).toContain(`Digest: ${images.busybox.digest}`);
    expect(res.stdout).toContain(`Status: Downloaded newer image for ${ref('busybox')}`);

    const list = await run('images', '--digests', '--format', '{{.Repository}}:{{.Tag}} {{.Digest}} {{.ID}}');
    expect(list.stdout).toContain(`${registry.host}/berth-test/busybox:latest ${images.busybox.digest}`);

    const i = await inspect(ref('busybox'));
    expect(i.RepoTags).toEqual([ref('busybox')]);
    expect(i.RepoDigests).toEqual([`${registry.host}/berth-test/busybox@${images.busybox.digest}`]);
    expect([i.Os, i.Architecture]).toEqual(['linux', 'amd64']);
    expect(i.Config.Cmd).toEqual(['sh']);
    expect(i.Size).toBeGreaterThan(100_000);

    const again = await run('pull', ref('busybox'));
    expect(again.stdout).toMatch(/Already exists/);
    expect(again.stdout).toContain(`Status: Image is up to date for ${ref('busybox')}`);
  });

  it('frames the pull stream as dockerd does: progressDetail and legacy progress, one JSON object per \\r\\n', async () => {
    const res = await api(daemon.socket, 'POST', `/v1.47/images/create?fromImage=${encodeURIComponent(`${registry.host}/berth-test/layers`)}&tag=whiteouts`, {
      headers: { 'X-Registry-Auth': 'e30=' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const msgs = messages(res.body);
    const downloading = msgs.find((m) => m.status === 'Downloading') as { progressDetail: { current: number; total: number }; progress: string; id: string };
    expect(downloading.id).toMatch(/^[0-9a-f]{12}$/);
    expect(downloading.progressDetail.total).toBeGreaterThan(0);
    expect(downloading.progress).toMatch(/^\[=*>? *\] +[\d.]+[kMG]?B\/[\d.]+[kMG]?B$/);
    const statuses = msgs.map((m) => m.status);
    for (const s of ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) expect(statuses).toContain(s);
    expect(statuses.at(-1)).toBe(`Status: Downloaded newer image for ${registry.host}/berth-test/layers:whiteouts`);
  });

  it('answers a missing image with dockerd 404 text before any stream starts', async () => {
    const res = await run('pull', `${registry.host}/berth-test/nope:latest`);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain(`manifest for ${registry.host}/berth-test/nope:latest not found: manifest unknown`);
    const inspectMissing = await run('image', 'inspect', 'berth-test-absent');
    expect(inspectMissing.stderr).toMatch(/No such image: berth-test-absent(:latest)?/);
  });

  it('picks amd64 from a multi-arch index by default and arm64 with --platform', async () => {
    for (const name of ['multiarch', 'multiarchList'] as const) {
      expect((await run('pull', ref(name))).code).toBe(0);
      const amd = await inspect(ref(name));
      expect(amd.Architecture).toBe('amd64');
      await withMergedView(layerDirs(amd), async (root) => expect(await readFile(join(root, 'etc/berth-arch'), 'utf8')).toBe('amd64\n'));
      const arm = await run('pull', '--platform', 'linux/arm64', ref(name));
      expect(arm.code).toBe(0);
      const a = await inspect(ref(name));
      expect(a.Architecture).toBe('arm64');
      await withMergedView(layerDirs(a), async (root) => expect(await readFile(join(root, 'etc/berth-arch'), 'utf8')).toBe('arm64\n'));
    }
  });

  it('pulls by digest: the digest shows in images --digests, and the digest reference resolves', async () => {
    // busybox:oci has the same config (so the same image ID) as busybox:latest: a new repo digest on that image.
    const byDigest = `${registry.host}/berth-test/busybox@${images.busyboxOci.digest}`;
    const res = await run('pull', byDigest);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`Status: Downloaded newer image for ${byDigest}`);
    const rows = (await run('images', '--digests', '--format', '{{.Tag}} {{.Digest}}', `${registry.host}/berth-test/busybox`)).stdout;
    expect(rows).toContain(`latest ${images.busyboxOci.digest}`);
    expect((await inspect(byDigest)).RepoDigests).toContain(byDigest);
  });

  it('pulls every tag with --all-tags', async () => {
    const res = await run('pull', '--all-tags', `${registry.host}/berth-test/multiarch`);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/latest: Pulling from berth-test\/multiarch/);
    expect(res.stdout).toMatch(/manifest-list: Pulling from berth-test\/multiarch/);
    const tags = (await run('images', '--format', '{{.Tag}}', `${registry.host}/berth-test/multiarch`)).stdout.trim().split('\n').sort();
    expect(tags).toEqual(['latest', 'manifest-list']);
  });

  it('unpacks gzip, zstd and uncompressed layers, whiteouts and opaque dirs into a correct overlay view', async () => {
    for (const name of ['uncompressed', 'zstd', 'whiteouts', 'busyboxOci'] as const) {
      expect((await run('pull', ref(name))).code).toBe(0);
      const i = await inspect(ref(name));
      const want = images[name].expect ?? {};
      await withMergedView(layerDirs(i), (root) => {
        for (const p of want.present ?? []) expect(exists(root, p), `${name}: ${p} present`).toBe(true);
        for (const p of want.absent ?? []) expect(exists(root, p), `${name}: ${p} absent`).toBe(false);
      });
    }
  });

  it('shows the config and history of an image built with empty layers', async () => {
    expect((await run('pull', ref('config'))).code).toBe(0);
    const i = await inspect(ref('config'));
    expect(i.Config.Entrypoint).toEqual(['/bin/echo', 'entrypoint:']);
    expect(i.Config.Labels).toMatchObject({ 'com.example.berth.test': 'yes' });
    const h = await run('history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Comment}}', ref('config'));
    const rows = h.stdout.trim().split('\n');
    expect(rows).toHaveLength(11);
    expect(rows[0]).toBe(`${i.Id}|/bin/sh -c #(nop)  CMD ["hello"]|last`);
    expect(rows[1]!.startsWith('<missing>|')).toBe(true);
  });

  it('refuses hostile layers with a clear error and writes nothing outside the snapshot root', async () => {
    for (const name of ['hostileDotdot', 'hostileAbsolute', 'hostileSymlink', 'hostileHardlink'] as const) {
      const res = await run('pull', ref(name));
      expect(res.code, `${name}: ${res.stdout}`).not.toBe(0);
      expect(res.stdout + res.stderr).toMatch(/invalid tar entry/);
      for (const p of images[name].expect?.hostEscapes ?? []) {
        const where = isAbsolute(p) ? [p] : [join(daemon.dataRoot, 'snapshots', p), join(daemon.dataRoot, 'snapshots', '.ingest', p)];
        for (const w of where) expect(existsSync(w), `${name}: ${w}`).toBe(false);
      }
    }
    expect(await readdir(join(daemon.dataRoot, 'snapshots', '.ingest'))).toEqual([]);
    expect((await run('images', '-q', `${registry.host}/berth-test/hostile`)).stdout).toBe('');
  });
});
