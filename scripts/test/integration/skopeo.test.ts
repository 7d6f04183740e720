import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pushTestImages,
  startRegistry,
  testImages,
  writeDockerArchive,
  writeOciLayout,
  type PushedTestImages,
  type TestRegistry,
} from '../../src/testrig/index.js';

const run = promisify(execFile);

/** skopeo is an independent registry client: if it agrees with the rig on digests, the fixtures are well formed. */
async function skopeo(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run('skopeo', args, { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

describe('skopeo reads what the rig writes', () => {
  let registry: TestRegistry;
  let images: PushedTestImages;
  let tmp: string;

  beforeAll(async () => {
    registry = await startRegistry();
    images = await pushTestImages(registry);
    tmp = await mkdtemp(path.join(os.tmpdir(), 'berth-skopeo-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('agrees on manifest digests and layers for single-platform images', async () => {
    for (const name of ['busybox', 'busyboxOci', 'config', 'whiteouts', 'uncompressed', 'zstd'] as const) {
      const img = images[name];
      const info = await skopeo('inspect', '--tls-verify=false', `docker://${img.reference}`);
      expect(info.Digest, name).toBe(img.digest);
      if (img.image.kind !== 'manifest') throw new Error('expected a manifest');
      expect(info.Layers, name).toEqual(img.image.layers.map((l) => l.digest));
      expect(info.Architecture, name).toBe('amd64');
    }
  });

  it('resolves the multi-platform index per architecture', async () => {
    for (const img of [images.multiarch, images.multiarchList]) {
      if (img.image.kind !== 'index') throw new Error('expected an index');
      const raw = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${img.reference}`);
      expect(raw.mediaType).toBe(img.image.mediaType);
      for (const arch of ['amd64', 'arm64']) {
        const info = await skopeo('inspect', '--tls-verify=false', '--override-arch', arch, `docker://${img.reference}`);
        const child = img.image.manifests.find((m) => m.platform.architecture === arch)!;
        expect(info.Architecture).toBe(arch);
        expect(info.Layers).toEqual(child.layers.map((l) => l.digest));
      }
    }
  });

  it('reads the full config as the rig wrote it', async () => {
    const info = await skopeo('inspect', '--config', '--tls-verify=false', `docker://${images.config.reference}`);
    expect(info.config).toMatchObject({ User: 'berth', Cmd: ['hello'], Labels: { 'com.example.berth.test': 'yes' } });
  });

  it('reads an OCI layout directory and a docker-save tar', async () => {
    const { catalog } = await testImages();
    const layout = await writeOciLayout(catalog.busyboxOci.image, path.join(tmp, 'layout'), { refName: 'oci' });
    const fromLayout = await skopeo('inspect', `oci:${layout}:oci`);
    expect(fromLayout.Digest).toBe(catalog.busyboxOci.image.digest);

    const indexLayout = await writeOciLayout(catalog.multiarch.image, path.join(tmp, 'multi'), { refName: 'latest' });
    const arm = await skopeo('inspect', '--override-arch', 'arm64', `oci:${indexLayout}:latest`);
    expect(arm.Architecture).toBe('arm64');

    const archive = await writeDockerArchive(catalog.whiteouts.image, path.join(tmp, 'save.tar'), { tags: ['berth-test/layers:whiteouts'] });
    const fromArchive = await skopeo('inspect', `docker-archive:${archive}`);
    if (catalog.whiteouts.image.kind !== 'manifest') throw new Error('expected a manifest');
    // docker save stores layers uncompressed, so the archive lists diff IDs, not the registry's gzip digests.
    expect(fromArchive.Layers).toEqual(catalog.whiteouts.image.layers.map((l) => l.diffId));
    // Naming the image by its tag makes skopeo look it up in manifest.json's RepoTags.
    const byTag = await skopeo('inspect', `docker-archive:${archive}:berth-test/layers:whiteouts`);
    expect(byTag.Layers).toEqual(fromArchive.Layers);
    const asOci = await skopeo('inspect', `oci-archive:${archive}`);
    expect(asOci.Layers).toEqual(fromArchive.Layers);
  });
});
