import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  pushTestImages,
  startBerthd,
  startRegistry,
  type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';
import { writeContext } from './build-context.js';

/** Layers made by build steps: stored uncompressed, gzip'd by push, and a kill -9 mid-commit leaves a sound store. */
describe('build step layers', () => {
  let registry: TestRegistry;
  let work: string;
  let busybox: string;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushTestImages(registry);
    busybox = `${registry.host}/berth-test/busybox:latest`;
    work = await mkdtemp(path.join(os.tmpdir(), 'berth-build-layers-'));
  }, 120_000);
  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const context = (name: string, dockerfile: string, files: Record<string, string> = {}): Promise<string> =>
    writeContext(work, name, { Dockerfile: dockerfile, ...files });

  it('pushes built layers gzip-compressed, and the image pulls back with the same ID and files', async () => {
    const berthd = await startBerthd({ insecureRegistries: [registry.host] });
    const ok = async (...args: string[]) => {
      const r = await docker(args, { host: berthd.dockerHost, timeoutMs: 60_000 });
      expect(r.code, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout.trim();
    };
    try {
      await ok('pull', '-q', busybox);
      const dir = await context(
        'push',
        `FROM ${busybox}\nRUN mkdir -p /srv && echo made > /srv/made.txt && rm /bin/true\nCOPY note.txt /srv/\nWORKDIR /work/here\n`,
        { 'note.txt': 'copied\n' },
      );
      const ref = `${registry.host}/berth-test/built:1`;
      await ok('build', '-q', '-t', ref, dir);
      const id = await ok('image', 'inspect', '--format', '{{.Id}}', ref);
      expect(await ok('run', '--rm', ref, 'sh', '-c', 'cat /srv/made.txt /srv/note.txt; pwd; test -e /bin/true || echo gone')).toBe(
        'made\ncopied\n/work/here\ngone',
      );

      await ok('push', ref);
      const res = await fetch(`${registry.url}/v2/berth-test/built/manifests/1`, {
        headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      const manifest = (await res.json()) as { layers: { mediaType: string; digest: string }[] };
      const own = manifest.layers.slice(-3);
      expect(own.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.docker.image.rootfs.diff.tar.gzip'));
      for (const l of own) {
        const blob = Buffer.from(await (await fetch(`${registry.url}/v2/berth-test/built/blobs/${l.digest}`)).arrayBuffer());
        expect(blob.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
      }
      // A second push finds every layer there already: the compressed blobs are the same bytes.
      expect(await ok('push', ref)).not.toMatch(/Pushed/);

      await ok('rmi', ref);
      await ok('builder', 'prune', '-f');
      await ok('pull', '-q', ref);
      expect(await ok('image', 'inspect', '--format', '{{.Id}}', ref)).toBe(id);
      expect(await ok('run', '--rm', ref, 'cat', '/srv/made.txt', '/srv/note.txt')).toBe('made\ncopied');
    } finally {
      await berthd.stop();
    }
  });

  it('a kill -9 while a step commits leaves no image or snapshot half-made, and the build then succeeds', async () => {
    const dataRoot = await mkdtemp(path.join(os.tmpdir(), 'berth-build-crash-'));
    const dir = await context('crash', `FROM ${busybox}\nRUN dd if=/dev/zero of=/big bs=1M count=256 2>/dev/null\n`);
    const start = () => startBerthd({ insecureRegistries: [registry.host], extraArgs: ['--data-root', dataRoot] });
    const first = await start();
    try {
      const pulled = await docker(['pull', '-q', busybox], { host: first.dockerHost });
      expect(pulled.code, pulled.stderr).toBe(0);
      const building = docker(['build', '-q', '-t', 'berth-test/crash', dir], { host: first.dockerHost, timeoutMs: 120_000 });
      // The step's layer is being written once a build ingest holds bytes.
      const ingest = path.join(dataRoot, 'content', 'ingest');
      let seen = 0;
      for (let i = 0; i < 60_000 && seen === 0; i++) {
        for (const name of await readdir(ingest).catch(() => [] as string[])) {
          seen += (await stat(path.join(ingest, name, 'data')).catch(() => undefined))?.size ?? 0;
        }
        if (seen === 0) await new Promise((r) => setTimeout(r, 1));
      }
      process.kill(first.pid, 'SIGKILL');
      await building;
      expect(seen, 'the kill landed while the layer was written').toBeGreaterThan(0);
    } finally {
      await first.stop();
    }

    const second = await start();
    try {
      const run = (...args: string[]) => docker(args, { host: second.dockerHost, timeoutMs: 120_000 });
      expect((await run('images', '-a', '-q')).stdout.trim().split('\n')).toHaveLength(1);
      expect(await readdir(path.join(dataRoot, 'snapshots', '.ingest'))).toEqual([]);
      expect(await readdir(path.join(dataRoot, 'content', 'ingest'))).toEqual([]);
      const built = await run('build', '-q', '-t', 'berth-test/crash', dir);
      expect(built.code, built.stderr).toBe(0);
      const size = await run('run', '--rm', 'berth-test/crash', 'stat', '-c', '%s', '/big');
      expect(size.stdout.trim()).toBe(String(256 << 20));
    } finally {
      await second.stop();
      await rm(dataRoot, { recursive: true, force: true });
    }
  });
});
