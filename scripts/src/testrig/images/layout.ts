import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { digestHex } from './digest.js';
import { testImages } from './fixture-cache.js';
import { MediaTypes } from './mediatypes.js';
import type { BlobStore, ImageFixture } from './types.js';

export const OCI_LAYOUT_FILE = JSON.stringify({ imageLayoutVersion: '1.0.0' });
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** Every digest an image needs, top manifest/index first. */
export function reachableDigests(image: ImageFixture): string[] {
  const manifests = image.kind === 'index' ? image.manifests : [image];
  const out = new Set<string>([image.digest]);
  for (const m of manifests) {
    out.add(m.digest);
    out.add(m.config.digest);
    for (const l of m.layers) out.add(l.digest);
  }
  return [...out];
}

/**
 * Writes an OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/…`) holding the image as it is,
 * compressed layers and all; `refName` becomes the `org.opencontainers.image.ref.name` annotation.
 */
export async function writeOciLayout(image: ImageFixture, dir: string, opts: { refName?: string; blobs?: BlobStore } = {}): Promise<string> {
  const blobs = opts.blobs ?? (await testImages()).blobs;
  await mkdir(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const digest of reachableDigests(image)) {
    const data = blobs.get(digest);
    if (!data) throw new Error(`blob ${digest} is not in the store`);
    await writeFile(path.join(dir, 'blobs', 'sha256', digestHex(digest)), data);
  }
  const index = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: [
      {
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.size,
        ...(opts.refName ? { annotations: { [REF_NAME_ANNOTATION]: opts.refName } } : {}),
      },
    ],
  };
  await writeFile(path.join(dir, 'oci-layout'), OCI_LAYOUT_FILE);
  await writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
  return dir;
}
