/**
 * `docker save`: one tar that is both a docker-archive (`manifest.json`, `repositories`) and an OCI image layout
 * (`oci-layout`, `index.json`, `blobs/sha256/…`), as dockerd ≥ 25 writes it. Layers are the stored blobs (possibly
 * compressed); loaders, ours and dockerd's, sniff the compression.
 */
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack, type Pack } from 'tar-stream';
import { digestOf } from '../content/digest.js';
import { MT, type Descriptor } from '../registry/mediatypes.js';
import { familiarName, familiarString, withDefaultTag, type Reference } from '../registry/reference.js';
import type { ImageDeps } from './deps.js';
import { resolveImage } from './lookup.js';
import type { ImageRecord } from './store.js';

interface Entry {
  image: ImageRecord;
  refs: Reference[];
}

function addBuffer(p: Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    p.entry({ name, size: data.length, mode: 0o644, mtime: new Date(0) }, data, (err) => (err ? reject(err) : resolve())),
  );
}

async function addBlob(deps: ImageDeps, p: Pack, digest: string): Promise<void> {
  const size = (await deps.content.size(digest)) ?? 0;
  const sink = p.entry({ name: `blobs/sha256/${digest.slice(7)}`, size, mode: 0o644, mtime: new Date(0) });
  // pipeline settles on either side's failure: a reader that left destroys the pack and with it this entry.
  await pipeline(deps.content.readStream(digest), sink as unknown as NodeJS.WritableStream);
}

function collect(deps: ImageDeps, names: string[]): Entry[] {
  const byId = new Map<string, Entry>();
  for (const name of names) {
    const { image, ref } = resolveImage(deps.meta, name);
    const e = byId.get(image.id) ?? { image, refs: [] };
    if (ref && !ref.digest) e.refs.push(withDefaultTag(ref));
    byId.set(image.id, e);
  }
  return [...byId.values()];
}

/** A layer descriptor in an OCI manifest's terms (records keep the media type the layer came with). */
function ociLayer(l: Descriptor): Descriptor {
  const mediaType = l.mediaType === MT.dockerLayerTar ? MT.ociLayer : l.mediaType === MT.dockerLayer ? MT.ociLayerGzip : l.mediaType;
  return { ...l, mediaType };
}

async function platformManifest(deps: ImageDeps, img: ImageRecord): Promise<{ mediaType: string; data: Buffer }> {
  if (img.manifest && (await deps.content.has(img.manifest.digest))) {
    return { mediaType: img.manifest.mediaType, data: await deps.content.read(img.manifest.digest) };
  }
  const data = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: { mediaType: MT.ociConfig, digest: img.id, size: (await deps.content.size(img.id)) ?? 0 },
      layers: img.layers.map(ociLayer),
    }),
  );
  return { mediaType: MT.ociManifest, data };
}

export async function saveImages(deps: ImageDeps, names: string[], out: Writable): Promise<void> {
  const entries = collect(deps, names);
  const p = pack();
  const piping = pipeline(p as unknown as NodeJS.ReadableStream, out, { end: false });
  const work = writeArchive(deps, p, entries);
  // Both settle, whichever fails first: a client gone mid-save rejects `piping` and, through the pack, `work`.
  work.catch((err: unknown) => p.destroy(err as Error));
  await Promise.all([work, piping]);
}

async function writeArchive(deps: ImageDeps, p: Pack, entries: Entry[]): Promise<void> {
  const written = new Set<string>();
  const blob = async (d: string): Promise<void> => {
    if (written.has(d)) return;
    written.add(d);
    await addBlob(deps, p, d);
  };
  const manifestJson: unknown[] = [];
  const index: unknown[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { image, refs } of entries) {
    for (const l of image.layers) await blob(l.digest);
    await blob(image.id);
    const m = await platformManifest(deps, image);
    const mDigest = digestOf(m.data);
    if (!written.has(mDigest)) {
      written.add(mDigest);
      await addBuffer(p, `blobs/sha256/${mDigest.slice(7)}`, m.data);
    }
    const desc = { mediaType: m.mediaType, digest: mDigest, size: m.data.length };
    if (refs.length === 0) index.push(desc);
    for (const r of refs) {
      index.push({ ...desc, annotations: { 'io.containerd.image.name': `${r.domain}/${r.path}:${r.tag}`, 'org.opencontainers.image.ref.name': r.tag } });
      const top = image.layers.at(-1)?.digest.slice(7);
      if (top) (repositories[familiarName(r)] ??= {})[r.tag!] = top;
    }
    manifestJson.push({
      Config: `blobs/sha256/${image.id.slice(7)}`,
      RepoTags: refs.length ? refs.map((r) => familiarString(r)) : null,
      Layers: image.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
    });
    deps.events.publish('image', 'save', image.id, { name: refs[0] ? familiarString(refs[0]) : image.id });
  }
  await addBuffer(p, 'index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: index })));
  await addBuffer(p, 'manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  await addBuffer(p, 'oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  if (Object.keys(repositories).length) await addBuffer(p, 'repositories', Buffer.from(JSON.stringify(repositories)));
  p.finalize();
}

export function checkNames(deps: ImageDeps, names: string[]): void {
  for (const n of names) resolveImage(deps.meta, n);
}
