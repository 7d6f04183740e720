import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { decompress } from './compress.js';
import { digestHex, sha256Digest } from './digest.js';
import { testImages } from './fixture-cache.js';
import { OCI_LAYOUT_FILE, REF_NAME_ANNOTATION } from './layout.js';
import { MediaTypes } from './mediatypes.js';
import { FIXED_MTIME } from './tar-layer.js';
import type { BlobStore, ImageFixture, ManifestFixture, Platform } from './types.js';

export interface DockerArchiveOptions {
  /** `repo:tag` names for manifest.json's RepoTags and `repositories`. */
  tags?: string[];
  /** For an index: which platform to save (default linux/amd64), as `docker save` saves one. */
  platform?: Platform;
  blobs?: BlobStore;
}

/**
 * Writes a tar the way `docker save` (Docker 25+) does: an OCI layout whose layers are uncompressed tars named by
 * their diff ID, plus the legacy `manifest.json` and `repositories` that `docker load` reads.
 */
export async function writeDockerArchive(image: ImageFixture, file: string, opts: DockerArchiveOptions = {}): Promise<string> {
  const blobs = opts.blobs ?? (await testImages()).blobs;
  const m = pickManifest(image, opts.platform ?? { os: 'linux', architecture: 'amd64' });
  const tags = opts.tags ?? [];
  const files = new Map<string, Buffer>();
  const get = (digest: string) => {
    const data = blobs.get(digest);
    if (!data) throw new Error(`blob ${digest} is not in the store`);
    return data;
  };
  const blobPath = (digest: string) => `blobs/sha256/${digestHex(digest)}`;

  files.set(blobPath(m.config.digest), get(m.config.digest));
  const layers = m.layers.map((l) => {
    const data = decompress(get(l.digest), l.compression);
    if (sha256Digest(data) !== l.diffId) throw new Error(`layer ${l.digest} does not decompress to ${l.diffId}`);
    files.set(blobPath(l.diffId), data);
    return { mediaType: MediaTypes.ociLayerTar, digest: l.diffId, size: data.length };
  });
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: MediaTypes.ociConfig, digest: m.config.digest, size: m.config.size },
      layers,
    }),
  );
  const manifestDigest = sha256Digest(manifest);
  files.set(blobPath(manifestDigest), manifest);

  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: (tags.length ? tags : [undefined]).map((tag) => ({
      mediaType: MediaTypes.ociManifest,
      digest: manifestDigest,
      size: manifest.length,
      ...(tag ? { annotations: { 'io.containerd.image.name': fullName(tag), [REF_NAME_ANNOTATION]: tag.slice(tag.lastIndexOf(':') + 1) } } : {}),
    })),
  };
  const legacy = [{ Config: blobPath(m.config.digest), RepoTags: tags, Layers: layers.map((l) => blobPath(l.digest)) }];
  const repositories: Record<string, Record<string, string>> = {};
  const top = layers.at(-1);
  for (const tag of tags) {
    const colon = tag.lastIndexOf(':');
    (repositories[tag.slice(0, colon)] ??= {})[tag.slice(colon + 1)] = top ? digestHex(top.digest) : '';
  }
  files.set('index.json', Buffer.from(JSON.stringify(index)));
  files.set('manifest.json', Buffer.from(JSON.stringify(legacy)));
  files.set('oci-layout', Buffer.from(OCI_LAYOUT_FILE));
  if (tags.length) files.set('repositories', Buffer.from(JSON.stringify(repositories)));

  const pack = tar.pack();
  const written = pipeline(pack, createWriteStream(file));
  pack.entry({ name: 'blobs/', type: 'directory', mode: 0o755, mtime: FIXED_MTIME });
  pack.entry({ name: 'blobs/sha256/', type: 'directory', mode: 0o755, mtime: FIXED_MTIME });
  for (const [name, data] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    pack.entry({ name, type: 'file', mode: 0o644, size: data.length, mtime: FIXED_MTIME }, data);
  }
  pack.finalize();
  await written;
  return file;
}

function pickManifest(image: ImageFixture, platform: Platform): ManifestFixture {
  if (image.kind === 'manifest') return image;
  const m = image.manifests.find((c) => c.platform.os === platform.os && c.platform.architecture === platform.architecture);
  if (!m) throw new Error(`index ${image.digest} has no ${platform.os}/${platform.architecture} manifest`);
  return m;
}

/** `berth-test/busybox:latest` → `docker.io/berth-test/busybox:latest`, as dockerd annotates saved images. */
function fullName(ref: string): string {
  const first = ref.split('/')[0]!;
  if (ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return ref;
  return ref.includes('/') ? `docker.io/${ref}` : `docker.io/library/${ref}`;
}
