/**
 * A step's result as an image: looked up in the build cache first (a hit becomes the stage's image; a `--cache-from`
 * hit on another parent is restored on top of ours), then a `COPY --link` layer made for another parent, and only
 * then the step's own work (`produce`) committed as a new image whose parent is the previous step's.
 */
import type { Readable } from 'node:stream';
import { commitImage, type UpperDirLayer } from '../images/commit.js';
import type { ContainerConfigJson, HistoryEntry, ImageDeps } from '../images/deps.js';
import type { BuildProgress } from './build-progress.js';
import { BUILDKIT_HISTORY_COMMENT } from './buildkit-history.js';
import { BUILDKIT_KEY_MARK, type BuildCache } from './cache.js';
import type { CurrentImage, StageState } from './state.js';

export interface StepCommit {
  /**
   * The history entry's `created_by` in this build's style (the classic builder's `/bin/sh -c #(nop) …`, or
   * BuildKit's `COPY app/ ./ # buildkit`); null for a config change the history does not record (BuildKit's
   * `--label`, ONBUILD).
   */
  createdBy: string | null;
  /**
   * What the cache compares, whatever the history says: content-based (file checksums, the command with its build
   * args and mounts), kept as the step image's `container_config.Cmd`.
   */
  cacheKey: string[];
  /** The history entry's comment when it is not the front door's own (BuildKit's exporter marks a local context's layer). */
  comment?: string;
  /**
   * Makes the step's layer on a cache miss (a tar, or an upper dir the commit takes over); undefined for a
   * config-only step.
   */
  produce?: () => Promise<Readable | UpperDirLayer | undefined>;
  /** After a produced layer was committed (or failed to be): release what `produce` took. */
  finish?: () => Promise<void>;
  /**
   * COPY --link: the layer does not depend on the image below, so on a miss the same step's layer from any other
   * image (another base, an earlier step changed) is reused on top of this one instead of being made again.
   */
  link?: boolean;
}

/** What committing a step needs from its build. */
export interface StepCommitter {
  readonly images: ImageDeps;
  readonly cache: BuildCache;
  readonly progress: BuildProgress;
  readonly buildkit: boolean;
  readonly noCache: boolean;
  /** Steps commit without flushing (the build flushes once at its end); this notes there is one to do. */
  wroteLayers(): false;
  config(id: string): Promise<CurrentImage['config']>;
}

/** The history entry a step writes in this build's style (BuildKit's carry its comment). */
function historyEntry(c: StepCommitter, step: StepCommit): HistoryEntry | null {
  if (step.createdBy === null) return null;
  const comment = step.comment ?? (c.buildkit ? BUILDKIT_HISTORY_COMMENT : undefined);
  return { created: new Date().toISOString(), created_by: step.createdBy, ...(comment ? { comment } : {}) };
}

/** Commits one step onto `state.image` (or takes it from the cache), leaving the result as the stage's image. */
export async function commitStep(c: StepCommitter, state: StageState, step: StepCommit): Promise<void> {
  // BuildKit's steps are keyed apart from the classic builder's: a cached image carries its history text.
  const probe: ContainerConfigJson = { ...state.config, Cmd: c.buildkit ? [...step.cacheKey, BUILDKIT_KEY_MARK] : step.cacheKey };
  const parent = state.image;
  if (!c.noCache) {
    const hit = await c.cache.lookup(parent?.record, probe, step.createdBy ?? '');
    if (hit) {
      c.progress.chrome(' ---> Using cache\n');
      c.progress.current?.cached();
      state.image = hit.record.parent === parent?.record.id || (!parent && !hit.record.parent) ? hit : await restore(c, state, hit, step);
      return;
    }
    const linked = step.link ? await c.cache.linkedLayer(probe.Cmd!) : undefined;
    if (linked) {
      const record = await commitImage(c.images, {
        parent: parent ? { record: parent.record, config: parent.config } : undefined,
        config: structuredClone(state.config),
        containerConfig: probe,
        history: historyEntry(c, step),
        layer: linked,
        platform: state.platform,
        sync: c.wroteLayers(),
      }).catch(() => undefined);
      if (record) {
        c.progress.current?.cached();
        c.cache.add(record);
        state.image = { record, config: await c.config(record.id) };
        return;
      }
    }
  }
  let record;
  try {
    const layer = step.produce ? await step.produce() : undefined;
    record = await commitImage(c.images, {
      parent: parent ? { record: parent.record, config: parent.config } : undefined,
      config: structuredClone(state.config),
      containerConfig: probe,
      history: historyEntry(c, step),
      ...(state.author ? { author: state.author } : {}),
      ...(layer ? { layer } : {}),
      platform: state.platform,
      sync: c.wroteLayers(),
    });
  } finally {
    await step.finish?.();
  }
  c.cache.add(record);
  state.image = { record, config: await c.config(record.id) };
}

/** A `--cache-from` hit: this step's layer and history entry from that image, on top of our parent. */
async function restore(c: StepCommitter, state: StageState, hit: CurrentImage, step: StepCommit): Promise<CurrentImage> {
  const parent = state.image;
  const n = parent?.config.history?.length ?? 0;
  const entry = hit.config.history?.[n] ?? { created_by: step.createdBy ?? '' };
  const layerIndex = parent?.record.diffIds.length ?? 0;
  const record = await commitImage(c.images, {
    parent,
    config: structuredClone(state.config),
    containerConfig: { ...state.config, Cmd: step.cacheKey },
    history: { ...entry },
    ...(entry.empty_layer ? {} : { layer: { desc: hit.record.layers[layerIndex]!, diffId: hit.record.diffIds[layerIndex]! } }),
    platform: state.platform,
    sync: c.wroteLayers(),
  });
  c.cache.add(record);
  return { record, config: await c.config(record.id) };
}
