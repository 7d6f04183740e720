/**
 * Layers as a registry gets them. Layers made on this machine (build steps, `docker commit`, a load of an
 * uncompressed archive) are stored uncompressed, as dockerd keeps its local diffs; compression belongs to push.
 * The first push of such a layer gzips it into the content store; gzip of the same bytes at the same level gives
 * the same blob, so a later push (even after a restart) offers the same digest and the registry's
 * `Layer already exists` still applies. The blob is a cache: no image refers to it, so GC may take it back.
 */
import { MT, type Descriptor } from '../registry/mediatypes.js';
import type { ImageDeps } from './deps.js';

const compressedOf = new Map<string, Descriptor>();

function isUncompressed(d: Descriptor): boolean {
  return d.mediaType === MT.dockerLayerTar || d.mediaType === MT.ociLayer;
}

/**
 * The descriptor to push for a stored layer, gzip'd first when it is stored uncompressed. `hold` keeps the blob
 * from GC until the push is over (the caller releases).
 */
export async function pushableLayer(deps: ImageDeps, layer: Descriptor, hold: (digest: string) => void): Promise<Descriptor> {
  if (!isUncompressed(layer)) return layer;
  const key = `${deps.content.root}\0${layer.digest}`;
  const known = compressedOf.get(key);
  if (known) {
    hold(known.digest);
    if (await deps.content.has(known.digest)) return known;
  }
  // zlib loads at first use: an idle engine does without it.
  const { createGzip } = await import('node:zlib');
  const gzip = createGzip({ chunkSize: 1 << 18 });
  const source = deps.content.readStream(layer.digest);
  source.on('error', (err) => gzip.destroy(err));
  const blob = await deps.content.putStream(source.pipe(gzip));
  hold(blob.digest);
  const desc: Descriptor = {
    mediaType: layer.mediaType === MT.ociLayer ? MT.ociLayerGzip : MT.dockerLayer,
    digest: blob.digest,
    size: blob.size,
  };
  compressedOf.set(key, desc);
  return desc;
}
