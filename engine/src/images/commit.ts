/**
 * Registers an image made locally (a build step, `docker commit`): the parent's layers plus at most one new layer,
 * a config and one more history entry. The new layer is stored as an uncompressed tar, as dockerd keeps local
 * diffs (compression belongs to push, `push.ts`), so one hashing pass gives both its digest and its diff ID. A
 * layer given as an overlay upper dir becomes its snapshot by a move (`SnapshotStore.adopt`), never re-unpacked;
 * a tar stream is unpacked through the same verified path as pulled layers.
 */
import type { Readable } from 'node:stream';
import { chainIds, digestOf } from '../content/digest.js';
import { MT, type Descriptor } from '../registry/mediatypes.js';
import type { ContainerConfigJson, HistoryEntry, ImageConfig, ImageDeps } from './deps.js';
import { emptyDiffTarStats, upperDirTar, type DiffTarStats } from './diff-tar.js';
import { adoptLayer, ensureLayer } from './layer.js';
import { registerImage } from './register.js';
import type { ImageRecord } from './store.js';

/** A layer made on this machine, as an overlay upper dir that the commit takes over (moved into the snapshots). */
export interface UpperDirLayer {
  upperDir: string;
  /** Relative paths left out of the layer, and deleted from the dir (the runtime's mount-point placeholders). */
  exclude?: ReadonlySet<string>;
}

export interface CommitRequest {
  /** The image this one builds on; undefined for an image from scratch. */
  parent: { record: ImageRecord; config: ImageConfig } | undefined;
  config: ContainerConfigJson;
  /** What dockerd keeps as `container_config` (the classic builder's cache key lives in its Cmd). */
  containerConfig?: ContainerConfigJson;
  /** The container committed (`docker commit`), kept as the config's `container`. */
  container?: string;
  /** The new history entry; null for a config change the history does not record (BuildKit's `--label`). */
  history: HistoryEntry | null;
  author?: string;
  /**
   * An uncompressed layer tar, an upper dir to take over, or a layer already in the store (a cache hit from another
   * image's history); absent for a config-only step (`empty_layer` in the history).
   */
  layer?: Readable | UpperDirLayer | { desc: Descriptor; diffId: string };
  platform: { os: string; architecture: string; variant?: string };
  /** Leave the record without a parent link (an image that is not an intermediate step). */
  recordParent?: boolean;
  /**
   * `false`: the new layer's blob and snapshot are not flushed to disk here (a build flushes once at its end, so a
   * step costs no fsync round trips; a kill -9 loses nothing either way, page-cached writes survive it).
   */
  sync?: boolean;
}

async function storeTar(deps: ImageDeps, tar: AsyncIterable<Buffer>, sync: boolean): Promise<{ desc: Descriptor; diffId: string }> {
  const blob = await deps.content.putStream(tar, { sync });
  return { desc: { mediaType: MT.dockerLayerTar, digest: blob.digest, size: blob.size }, diffId: blob.digest };
}

export async function commitImage(deps: ImageDeps, req: CommitRequest): Promise<ImageRecord> {
  const parent = req.parent;
  const created = req.history?.created ?? new Date().toISOString();
  const diffIds = [...(parent?.record.diffIds ?? [])];
  const layers = [...(parent?.record.layers ?? [])];
  const sizes = [...(parent?.record.layerSizes ?? [])];
  let releaseLayer = (): void => undefined;
  let releaseConfig = (): void => undefined;
  try {
    if (req.layer) {
      const given = req.layer;
      let upper: { layer: UpperDirLayer; stats: DiffTarStats } | undefined;
      let stored: { desc: Descriptor; diffId: string };
      if ('desc' in given) stored = given;
      else if ('upperDir' in given) {
        upper = { layer: given, stats: emptyDiffTarStats() };
        stored = await storeTar(deps, upperDirTar(given.upperDir, given.exclude, upper.stats), req.sync !== false);
      } else stored = await storeTar(deps, given, req.sync !== false);
      const { desc, diffId } = stored;
      diffIds.push(diffId);
      const chains = chainIds(diffIds);
      releaseLayer = deps.leases.hold([desc.digest, chains[chains.length - 1]!]);
      const job = { desc, diffId, chainId: chains[chains.length - 1]!, parent: chains[chains.length - 2] };
      const size = upper
        ? await adoptLayer(deps.snapshots, job, upper.layer.upperDir, { drop: upper.layer.exclude ?? [], strip: upper.stats.overlayXattrs }, upper.stats.size, { sync: req.sync !== false })
        : await ensureLayer(deps.content, deps.snapshots, job, undefined);
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
      ...(req.history?.comment && req.container ? { comment: req.history.comment } : {}),
      config: req.config,
      ...(req.container ? { container: req.container } : {}),
      ...(req.containerConfig ? { container_config: req.containerConfig } : {}),
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: [...(parent?.config.history ?? []), ...(req.history ? [{ ...req.history, created, ...(req.layer ? {} : { empty_layer: true }) }] : [])],
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
