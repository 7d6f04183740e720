/**
 * Registers an image made locally (a build step, `docker commit`): the parent's layers plus at most one new layer,
 * a config and one more history entry. The new layer arrives as an uncompressed tar; it is stored gzip'd (fast
 * level: registries get what they expect, and the CPU cost stays small) and unpacked through the same verified
 * path as pulled layers, so its snapshot is indistinguishable from a pulled one.
 */
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants as zlib } from 'node:zlib';
import { chainIds, digestOf, hasher } from '../content/digest.js';
import { MT, type Descriptor } from '../registry/mediatypes.js';
import type { ContainerConfigJson, HistoryEntry, ImageConfig, ImageDeps } from './deps.js';
import { ensureLayer } from './layer.js';
import { registerImage } from './register.js';
import type { ImageRecord } from './store.js';

export interface CommitRequest {
  /** The image this one builds on; undefined for an image from scratch. */
  parent: { record: ImageRecord; config: ImageConfig } | undefined;
  config: ContainerConfigJson;
  /** What dockerd keeps as `container_config` (the classic builder's cache key lives in its Cmd). */
  containerConfig?: ContainerConfigJson;
  history: HistoryEntry;
  author?: string;
  /**
   * An uncompressed layer tar, or a layer already in the store (a cache hit from another image's history); absent
   * for a config-only step (`empty_layer` in the history).
   */
  layer?: Readable | { desc: Descriptor; diffId: string };
  platform: { os: string; architecture: string; variant?: string };
  /** Leave the record without a parent link (an image that is not an intermediate step). */
  recordParent?: boolean;
}

async function storeLayer(deps: ImageDeps, tar: Readable): Promise<{ desc: Descriptor; diffId: string }> {
  const diff = hasher();
  const tee = new PassThrough();
  const gzip = createGzip({ level: zlib.Z_BEST_SPEED });
  const hashing = pipeline(
    tar,
    async function* (src: AsyncIterable<Buffer>) {
      for await (const c of src) {
        diff.update(c);
        yield c;
      }
    },
    gzip,
    tee,
  );
  const [blob] = await Promise.all([deps.content.putStream(tee), hashing]);
  return { desc: { mediaType: MT.dockerLayer, digest: blob.digest, size: blob.size }, diffId: `sha256:${diff.digest('hex')}` };
}

export async function commitImage(deps: ImageDeps, req: CommitRequest): Promise<ImageRecord> {
  const parent = req.parent;
  const created = req.history.created ?? new Date().toISOString();
  const diffIds = [...(parent?.record.diffIds ?? [])];
  const layers = [...(parent?.record.layers ?? [])];
  const sizes = [...(parent?.record.layerSizes ?? [])];
  let releaseLayer = (): void => undefined;
  let releaseConfig = (): void => undefined;
  try {
    if (req.layer) {
      const { desc, diffId } = 'desc' in req.layer ? req.layer : await storeLayer(deps, req.layer);
      diffIds.push(diffId);
      const chains = chainIds(diffIds);
      releaseLayer = deps.leases.hold([desc.digest, chains[chains.length - 1]!]);
      const size = await ensureLayer(
        deps.content,
        deps.snapshots,
        { desc, diffId, chainId: chains[chains.length - 1]!, parent: chains[chains.length - 2] },
        undefined,
      );
      layers.push(desc);
      sizes.push(size);
    }
    const image: ImageConfig = {
      architecture: req.platform.architecture,
      os: req.platform.os,
      ...(req.platform.variant ? { variant: req.platform.variant } : {}),
      created,
      ...(req.author ? { author: req.author } : {}),
      // `docker commit -m` is both the image's comment and its last history entry's.
      ...(req.history.comment ? { comment: req.history.comment } : {}),
      config: req.config,
      ...(req.containerConfig ? { container_config: req.containerConfig } : {}),
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [...(parent?.config.history ?? []), { ...req.history, created, ...(req.layer ? {} : { empty_layer: true }) }],
    };
    const data = Buffer.from(JSON.stringify(image));
    releaseConfig = deps.leases.hold([digestOf(data)]);
    const id = await deps.content.put(data);
    const record: ImageRecord = {
      id,
      layers,
      diffIds,
      chainIds: chainIds(diffIds),
      layerSizes: sizes,
      repoDigests: [],
      platform: req.platform,
      created,
      added: new Date().toISOString(),
      ...(parent && req.recordParent !== false ? { parent: parent.record.id } : {}),
    };
    await registerImage(deps, record, []);
    return deps.meta.get(id) ?? record;
  } finally {
    releaseLayer();
    releaseConfig();
  }
}
