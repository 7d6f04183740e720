import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fetchBlob,
  fetchManifest,
  MediaTypes,
  pushImage,
  pushTestImages,
  sha256Digest,
  startRegistry,
  testImages,
  type PushedTestImages,
  type TestRegistry,
} from '../../src/testrig/index.js';

interface ManifestJson {
  mediaType: string;
  config: { mediaType: string; digest: string; size: number };
  layers: { mediaType: string; digest: string; size: number }[];
}
interface IndexJson {
  mediaType: string;
  manifests: { mediaType: string; digest: string; platform: { os: string; architecture: string; variant?: string } }[];
}

describe('test registry with the pushed fixture catalog', () => {
  let registry: TestRegistry;
  let images: PushedTestImages;

  beforeAll(async () => {
    registry = await startRegistry();
    images = await pushTestImages(registry);
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('serves every pushed manifest under its tag with the digest the catalog predicted', async () => {
    for (const img of Object.values(images)) {
      const got = await fetchManifest(registry, img.repository, img.tag);
      expect(got.status, img.ref).toBe(200);
      expect(got.digest, img.ref).toBe(img.digest);
      expect(sha256Digest(got.body), img.ref).toBe(img.digest);
      expect(got.mediaType, img.ref).toBe(img.image.mediaType);
    }
  });

  it('serves layers and configs whose bytes hash to their digests, with the right media types', async () => {
    const m = JSON.parse((await fetchManifest(registry, images.busybox.repository, images.busybox.tag)).body.toString()) as ManifestJson;
    expect(m.mediaType).toBe(MediaTypes.dockerManifest);
    expect(m.config.mediaType).toBe(MediaTypes.dockerConfig);
    expect(m.layers.map((l) => l.mediaType)).toEqual([MediaTypes.dockerLayerGzip]);
    for (const d of [m.config, ...m.layers]) {
      const blob = await fetchBlob(registry, images.busybox.repository, d.digest);
      expect(sha256Digest(blob)).toBe(d.digest);
      expect(blob.length).toBe(d.size);
    }
    const oci = JSON.parse((await fetchManifest(registry, 'berth-test/busybox', 'oci')).body.toString()) as ManifestJson;
    expect(oci.mediaType).toBe(MediaTypes.ociManifest);
    expect(oci.config.mediaType).toBe(MediaTypes.ociConfig);
    // Same content, same gzip bytes: the OCI image shares the Docker image's layer blob.
    expect(oci.layers.map((l) => [l.mediaType, l.digest])).toEqual([[MediaTypes.ociLayerGzip, m.layers[0]!.digest]]);
  });

  it('keeps uncompressed and zstd layers under their OCI media types', async () => {
    const { blobs } = await testImages();
    for (const [img, type, magic] of [
      [images.uncompressed, MediaTypes.ociLayerTar, null],
      [images.zstd, MediaTypes.ociLayerZstd, '28b52ffd'],
    ] as const) {
      const m = JSON.parse((await fetchManifest(registry, img.repository, img.tag)).body.toString()) as ManifestJson;
      expect(m.layers.map((l) => l.mediaType)).toEqual([type]);
      const blob = await fetchBlob(registry, img.repository, m.layers[0]!.digest);
      expect(blob.equals(blobs.get(m.layers[0]!.digest)!)).toBe(true);
      if (magic) expect(blob.subarray(0, 4).toString('hex')).toBe(magic);
      else expect(blob.subarray(257, 262).toString()).toBe('ustar');
    }
  });

  it('serves the multi-platform index and manifest list with amd64 and arm64 entries', async () => {
    for (const [img, type, child] of [
      [images.multiarch, MediaTypes.ociIndex, MediaTypes.ociManifest],
      [images.multiarchList, MediaTypes.dockerManifestList, MediaTypes.dockerManifest],
    ] as const) {
      const got = await fetchManifest(registry, img.repository, img.tag);
      const index = JSON.parse(got.body.toString()) as IndexJson;
      expect(index.mediaType).toBe(type);
      expect(index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`)).toEqual(['linux/amd64', 'linux/arm64']);
      for (const entry of index.manifests) {
        expect(entry.mediaType).toBe(child);
        const byDigest = await fetchManifest(registry, img.repository, entry.digest);
        expect(byDigest.status).toBe(200);
        expect(sha256Digest(byDigest.body)).toBe(entry.digest);
      }
    }
  });

  it('records the full image config: env, entrypoint, user, healthcheck, history with empty layers', async () => {
    const m = JSON.parse((await fetchManifest(registry, images.config.repository, images.config.tag)).body.toString()) as ManifestJson;
    const config = JSON.parse((await fetchBlob(registry, images.config.repository, m.config.digest)).toString()) as {
      config: Record<string, unknown>;
      history: { empty_layer?: boolean }[];
      rootfs: { diff_ids: string[] };
    };
    expect(config.config).toMatchObject({ User: 'berth', Entrypoint: ['/bin/echo', 'entrypoint:'], Cmd: ['hello'], WorkingDir: '/home/berth' });
    expect(Object.keys(config.config.ExposedPorts as object)).toEqual(['8080/tcp', '5353/udp']);
    expect(config.history.filter((h) => !h.empty_layer)).toHaveLength(config.rootfs.diff_ids.length);
    expect(config.history.filter((h) => h.empty_layer).length).toBeGreaterThan(0);
  });
});

describe('test registry with basic auth', () => {
  let registry: TestRegistry;
  const auth = { username: 'berth', password: 's3cret-pass' };

  beforeAll(async () => {
    registry = await startRegistry({ auth });
  });
  afterAll(async () => {
    await registry?.stop();
  });

  it('refuses anonymous requests with a Basic challenge and accepts the credentials', async () => {
    const anon = await fetch(`${registry.url}/v2/`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    const wrong = await fetch(`${registry.url}/v2/`, { headers: { Authorization: `Basic ${Buffer.from('berth:nope').toString('base64')}` } });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${registry.url}/v2/`, { headers: { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } });
    expect(ok.status).toBe(200);
  });

  it('takes a push with credentials and serves it back', async () => {
    const { catalog } = await testImages();
    const digest = await pushImage(registry, catalog.busybox.image, 'private/busybox:1', { upload: 'chunked', chunkSize: 100_000 });
    expect(digest).toBe(catalog.busybox.image.digest);
    expect((await fetchManifest(registry, 'private/busybox', '1')).digest).toBe(digest);
    expect((await fetchManifest({ ...registry, auth: undefined }, 'private/busybox', '1')).status).toBe(401);
  });
});
