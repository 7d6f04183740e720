/**
 * `docker load`: reads a docker-archive (`manifest.json`) or an OCI image layout (`index.json`) from a tar stream.
 * Every member that can be a blob goes straight into the content store as it streams by (hashed on the way), so
 * nothing is extracted to disk; then each image's layers are unpacked from the store and the image recorded.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { InvalidArgument } from '../base/errors.js';
import { chainIds } from '../content/digest.js';
import { detectCompression } from '../snapshots/decompress.js';
import { safeComponents } from '../snapshots/unpack.js';
import { isIndex, MT, type Descriptor, type Index, type Manifest } from '../registry/mediatypes.js';
import { familiarString, parseReference, withDefaultTag, type Reference } from '../registry/reference.js';
import type { ImageConfig, ImageDeps } from './deps.js';
import { ensureLayer } from './layer.js';
import { selectManifest } from './platform.js';
import type { ProgressSink } from './progress.js';
import { registerImage } from './register.js';
import type { ImageRecord } from './store.js';

const METADATA = new Set(['manifest.json', 'index.json', 'oci-layout', 'repositories']);

/**
 * The most a metadata member or a manifest may weigh: the 4 MiB a registry (distribution, and dockerd's puller) takes
 * for a manifest. Image configs (and a docker-archive's legacy `<id>/json`) get 8 MiB: they carry the history and
 * labels of every layer. Metadata is read into memory to be parsed, so anything bigger is refused before it is read
 * (a 700 MB manifest.json once took berthd to 1.5 GB); layers stream to disk and have no such limit.
 */
export const MAX_MANIFEST_BYTES = 4 << 20;
export const MAX_CONFIG_BYTES = 8 << 20;

function tooLarge(what: string, size: number, limit: number): InvalidArgument {
  return new InvalidArgument(`invalid archive: ${what} is ${size} bytes, more than the ${limit >> 20} MiB allowed for it`);
}

interface Archive {
  /** Member path → stored blob. */
  blobs: Map<string, { digest: string; size: number }>;
  meta: Map<string, Buffer>;
}

async function readArchive(deps: ImageDeps, input: Readable, hold: (d: string) => void): Promise<Archive> {
  const a: Archive = { blobs: new Map(), meta: new Map() };
  const ex = extract();
  input.on('error', (e) => ex.destroy(e));
  // Errors of the extractor reach the loop below; once it has stopped, pipe() would re-emit one unhandled.
  ex.on('error', () => undefined);
  input.pipe(ex as unknown as NodeJS.WritableStream);
  for await (const entry of ex) {
    const body = entry as AsyncIterable<Buffer>;
    const path = safeComponents(entry.header.name).join('/');
    if (entry.header.type !== 'file' && entry.header.type !== 'contiguous-file') {
      entry.resume();
      continue;
    }
    if (METADATA.has(path) || /(^|\/)(VERSION|json)$/.test(path)) {
      const limit = METADATA.has(path) ? MAX_MANIFEST_BYTES : MAX_CONFIG_BYTES;
      const size = entry.header.size ?? 0;
      if (size > limit) throw tooLarge(path, size, limit);
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c);
      a.meta.set(path, Buffer.concat(chunks));
      continue;
    }
    const info = await deps.content.putStream(body);
    hold(info.digest);
    const named = /^blobs\/(sha256)\/([a-f0-9]{64})$/.exec(path);
    if (named && `${named[1]}:${named[2]}` !== info.digest) {
      throw new InvalidArgument(`invalid archive: ${path} has digest ${info.digest}`);
    }
    a.blobs.set(path, info);
  }
  return a;
}

/** The layer media type that matches a stored blob's compression. */
export async function sniffLayerType(deps: ImageDeps, digest: string): Promise<string> {
  const fh = await open(deps.content.blobPath(digest), 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(4), 0, 4, 0);
    const c = detectCompression(buffer.subarray(0, bytesRead));
    return c === 'gzip' ? MT.dockerLayer : c === 'zstd' ? MT.ociLayerZstd : MT.dockerLayerTar;
  } finally {
    await fh.close();
  }
}

function blobOf(a: Archive, path: string): { digest: string; size: number } {
  const b = a.blobs.get(safeComponents(path).join('/'));
  if (!b) throw new InvalidArgument(`invalid archive: ${path} is missing`);
  return b;
}

function parseMember<T>(data: Buffer, name: string): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch (err) {
    throw new InvalidArgument(`invalid archive: ${name} is not JSON: ${(err as Error).message}`);
  }
}

/** A JSON blob of the archive (a manifest, an index or an image config), refused unread above `limit`. */
async function readJson<T>(deps: ImageDeps, digest: string, limit: number, what: string): Promise<T> {
  const size = (await deps.content.size(digest)) ?? 0;
  if (size > limit) throw tooLarge(`${what} ${digest}`, size, limit);
  const text = (await deps.content.read(digest)).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new InvalidArgument(`invalid archive: ${what} ${digest} is not JSON: ${(err as Error).message}`);
  }
}

interface LoadItem {
  config: string;
  layers: Descriptor[];
  manifest?: Descriptor;
  tags: Reference[];
}

/** The platform manifests of the OCI index.json, with the names their annotations give. */
async function ociItems(deps: ImageDeps, index: Index): Promise<LoadItem[]> {
  const items: LoadItem[] = [];
  for (const d of index.manifests ?? []) {
    let desc = d;
    if (isIndex(d.mediaType)) {
      const inner = await readJson<Index>(deps, d.digest, MAX_MANIFEST_BYTES, 'index');
      const chosen = selectManifest(inner.manifests ?? [], deps.platform);
      if (!chosen) continue;
      desc = chosen;
    }
    const m = await readJson<Manifest>(deps, desc.digest, MAX_MANIFEST_BYTES, 'manifest');
    const name = d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
    const tags: Reference[] = [];
    try {
      if (name && /[/:]/.test(name)) tags.push(withDefaultTag(parseReference(name)));
    } catch {
      // a bare tag without a repository names nothing we can tag
    }
    items.push({ config: m.config.digest, layers: m.layers, manifest: { mediaType: desc.mediaType, digest: desc.digest, size: desc.size }, tags });
  }
  return items;
}

export async function loadImages(deps: ImageDeps, input: Readable, sink: ProgressSink): Promise<ImageRecord[]> {
  const held: (() => void)[] = [];
  try {
    const a = await readArchive(deps, input, (d) => held.push(deps.leases.hold([d])));
    const indexBuf = a.meta.get('index.json');
    const index = indexBuf ? parseMember<Index>(indexBuf, 'index.json') : undefined;
    let items: LoadItem[];
    const mj = a.meta.get('manifest.json');
    if (mj) {
      const oci = index ? await ociItems(deps, index) : [];
      const entries = parseMember<{ Config: string; RepoTags: string[] | null; Layers: string[] }[]>(mj, 'manifest.json');
      items = [];
      for (const e of entries) {
        const config = blobOf(a, e.Config).digest;
        const layers: Descriptor[] = [];
        for (const l of e.Layers) {
          const b = blobOf(a, l);
          layers.push({ mediaType: await sniffLayerType(deps, b.digest), digest: b.digest, size: b.size });
        }
        const manifest = oci.find((o) => o.config === config)?.manifest;
        items.push({ config, layers, ...(manifest ? { manifest } : {}), tags: (e.RepoTags ?? []).map((t) => withDefaultTag(parseReference(t))) });
      }
    } else if (index) {
      items = await ociItems(deps, index);
    } else {
      throw new InvalidArgument('invalid archive: neither manifest.json nor index.json found');
    }
    const out: ImageRecord[] = [];
    for (const item of items) out.push(await loadOne(deps, item, sink));
    return out;
  } finally {
    held.forEach((r) => r());
  }
}

async function loadOne(deps: ImageDeps, item: LoadItem, sink: ProgressSink): Promise<ImageRecord> {
  const config = await readJson<ImageConfig>(deps, item.config, MAX_CONFIG_BYTES, 'image config');
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== item.layers.length) {
    throw new InvalidArgument(`invalid archive: ${item.layers.length} layers but ${diffIds.length} diff IDs`);
  }
  const chains = chainIds(diffIds);
  const release = deps.leases.hold(chains);
  try {
    const sizes: number[] = [];
    for (let i = 0; i < chains.length; i++) {
      sizes.push(await ensureLayer(deps.content, deps.snapshots, { desc: item.layers[i]!, diffId: diffIds[i]!, chainId: chains[i]!, parent: chains[i - 1] }, undefined));
    }
    const record: ImageRecord = {
      id: item.config,
      ...(item.manifest ? { manifest: item.manifest } : {}),
      layers: item.layers,
      diffIds,
      chainIds: chains,
      layerSizes: sizes,
      repoDigests: [],
      platform: { os: config.os ?? 'linux', architecture: config.architecture ?? 'amd64', ...(config.variant ? { variant: config.variant } : {}) },
      created: config.created ?? new Date(0).toISOString(),
      added: new Date().toISOString(),
    };
    await registerImage(deps, record, item.tags);
    for (const t of item.tags) sink({ stream: `Loaded image: ${familiarString(t)}\n` });
    if (item.tags.length === 0) sink({ stream: `Loaded image ID: ${item.config}\n` });
    deps.events.publish('image', 'load', item.config, { name: item.tags[0] ? familiarString(item.tags[0]) : item.config });
    return deps.meta.get(item.config)!;
  } finally {
    release();
  }
}
