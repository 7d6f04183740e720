/**
 * `POST /images/{name}/push`: uploads the blobs the registry lacks (HEAD first: `Layer already exists`; then a
 * cross-repo mount from a repository on the same registry the image came from: `Mounted from …`; else a
 * monolithic upload with `Pushing` progress), then the manifest. Blobs are the stored originals, so a pushed image
 * keeps the manifest digest it was pulled with; layers stored uncompressed (made here) are gzip'd first
 * (`push-layers.ts`). Progress lines name a layer by its stored digest, which for those is its diff ID, as dockerd's.
 */
import { Readable } from 'node:stream';
import { NotFound } from '../base/errors.js';
import { shortDigest } from '../content/digest.js';
import type { AuthConfig } from '../registry/auth.js';
import { RepositoryClient } from '../registry/client.js';
import { MT, type Descriptor } from '../registry/mediatypes.js';
import { familiarName, familiarString, parseReference, repositoryName, type Reference } from '../registry/reference.js';
import { finishUpload, putManifest, startUpload, statBlob } from '../registry/repository.js';
import type { ImageDeps } from './deps.js';
import { findByReference } from './lookup.js';
import { stillWanted } from './cancel.js';
import { runLimited } from './pool.js';
import { pushableLayer } from './push-layers.js';
import { LayerProgress, statusLine, type ProgressSink } from './progress.js';
import type { ImageRecord } from './store.js';

const CONCURRENT_UPLOADS = 5;

/** The manifest to push: the stored original when there is one, else a Docker v2 manifest built from the record. */
async function manifestFor(deps: ImageDeps, img: ImageRecord, layers: Descriptor[]): Promise<{ mediaType: string; data: Buffer }> {
  if (img.manifest && (await deps.content.has(img.manifest.digest))) {
    return { mediaType: img.manifest.mediaType, data: await deps.content.read(img.manifest.digest) };
  }
  const configSize = (await deps.content.size(img.id)) ?? 0;
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.dockerManifest,
    config: { mediaType: MT.dockerConfig, size: configSize, digest: img.id },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  return { mediaType: MT.dockerManifest, data: Buffer.from(JSON.stringify(manifest, null, 3)) };
}

/** Repositories on the target registry this image was pulled from: candidates for a cross-repo mount. */
function mountSources(img: ImageRecord, target: Reference): string[] {
  const out = new Set<string>();
  for (const rd of img.repoDigests) {
    const r = parseReference(rd);
    if (r.domain === target.domain && r.path !== target.path) out.add(r.path);
  }
  return [...out];
}

async function pushBlob(
  deps: ImageDeps,
  client: RepositoryClient,
  desc: Descriptor,
  sources: string[],
  sink: ProgressSink | undefined,
  signal: AbortSignal | undefined,
  id = shortDigest(desc.digest),
): Promise<void> {
  stillWanted(signal);
  if ((await statBlob(client, desc.digest)) !== undefined) {
    if (sink) statusLine(sink, id, 'Layer already exists');
    return;
  }
  for (const from of sources) {
    client.addScope(`repository:${from}:pull`);
    const started = await startUpload(client, { digest: desc.digest, from });
    if (started === 'mounted') {
      if (sink) statusLine(sink, id, `Mounted from ${from}`);
      return;
    }
    return upload(deps, client, started, desc, sink, signal, id);
  }
  const location = await startUpload(client);
  if (location === 'mounted') return;
  return upload(deps, client, location, desc, sink, signal, id);
}

async function upload(
  deps: ImageDeps,
  client: RepositoryClient,
  location: URL,
  desc: Descriptor,
  sink: ProgressSink | undefined,
  signal: AbortSignal | undefined,
  id: string,
): Promise<void> {
  const bar = sink ? new LayerProgress(sink, id, 'Pushing', desc.size) : undefined;
  let sent = 0;
  const source = deps.content.readStream(desc.digest);
  const counted = Readable.from(
    (async function* () {
      for await (const c of source) {
        // The client has gone: the upload's request fails and the registry drops the unfinished upload.
        stillWanted(signal);
        sent += (c as Buffer).length;
        bar?.update(sent);
        yield c as Buffer;
      }
    })(),
  );
  await finishUpload(client, location, desc.digest, desc.size, counted);
  if (sink) statusLine(sink, id, 'Pushed');
}

export async function pushImage(
  deps: ImageDeps,
  name: string,
  tag: string,
  auth: AuthConfig | undefined,
  sink: ProgressSink,
  signal?: AbortSignal,
): Promise<void> {
  let ref = parseReference(name);
  if (tag) ref = tag.includes(':') ? { ...ref, digest: tag } : { ...ref, tag };
  const targets: { ref: Reference; image: ImageRecord }[] = [];
  if (ref.tag || ref.digest) {
    const image = findByReference(deps.meta, ref);
    if (image) targets.push({ ref, image });
  } else {
    for (const [key, id] of Object.entries(deps.meta.allTags()).sort()) {
      const r = parseReference(key);
      if (repositoryName(r) === repositoryName(ref)) targets.push({ ref: r, image: deps.meta.get(id)! });
    }
  }
  if (targets.length === 0) throw new NotFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
  sink({ status: `The push refers to repository [${repositoryName(ref)}]` });
  const client = new RepositoryClient(ref.domain, ref.path, { config: deps.registry, auth, push: true });
  for (const t of targets) await pushOne(deps, client, t.ref, t.image, sink, signal);
}

async function pushOne(
  deps: ImageDeps,
  client: RepositoryClient,
  ref: Reference,
  img: ImageRecord,
  sink: ProgressSink,
  signal: AbortSignal | undefined,
): Promise<void> {
  const sources = mountSources(img, ref);
  const layers = [...img.layers].reverse(); // dockerd lists the top layer first
  for (const l of layers) statusLine(sink, shortDigest(l.digest), 'Preparing');
  layers.slice(CONCURRENT_UPLOADS).forEach((l) => statusLine(sink, shortDigest(l.digest), 'Waiting'));
  const wire = new Map<string, Descriptor>();
  const releases: (() => void)[] = [];
  try {
    await runLimited(layers, CONCURRENT_UPLOADS, async (l) => {
      const desc = await pushableLayer(deps, l, (d) => releases.push(deps.leases.hold([d])));
      wire.set(l.digest, desc);
      await pushBlob(deps, client, desc, sources, sink, signal, shortDigest(l.digest));
    });
  } finally {
    for (const release of releases) release();
  }
  const configSize = (await deps.content.size(img.id)) ?? 0;
  await pushBlob(deps, client, { mediaType: MT.dockerConfig, digest: img.id, size: configSize }, sources, undefined, signal);
  const { mediaType, data } = await manifestFor(deps, img, img.layers.map((l) => wire.get(l.digest) ?? l));
  const reference = ref.tag ?? ref.digest!;
  // Last chance: once the manifest is up, the registry has the tag.
  stillWanted(signal);
  const digest = await putManifest(client, reference, mediaType, data);
  await deps.content.put(data, digest);
  const repoDigest = `${repositoryName(ref)}@${digest}`;
  await deps.meta.update((db) => {
    const rec = db.images[img.id];
    if (rec && !rec.repoDigests.includes(repoDigest)) rec.repoDigests.push(repoDigest);
  });
  const tagText = ref.tag ?? digest;
  sink({ status: `${tagText}: digest: ${digest} size: ${data.length}` });
  sink({ progressDetail: {}, aux: { Tag: tagText, Digest: digest, Size: data.length } });
  deps.events.publish('image', 'push', familiarString(ref), { name: familiarName(ref) });
}
