/**
 * The build cache: a step is done already when some image whose parent is the current image was made with the same
 * `container_config` (the step's config with its Cmd replaced by the step's cache key: the RUN command with its
 * build args and mounts, or `#(nop) COPY file:<checksum> in <dest>`, content-based whichever history text the step
 * writes). `--cache-from` images (classic builder) add candidates by history instead, as dockerd's: their layers
 * and history must extend the current image's by exactly this step.
 */
import { isDeepStrictEqual } from 'node:util';
import type { ContainerConfigJson, ImageConfig } from '../images/deps.js';
import type { ImageService } from '../images/service.js';
import type { ImageRecord } from '../images/store.js';
import type { Descriptor } from '../registry/mediatypes.js';

/** The fields dockerd's cache compares (image/cache/compare.go), with empty values normalised. */
function comparable(c: ContainerConfigJson | undefined): Record<string, unknown> {
  const x = c ?? {};
  const empty = (v: unknown): unknown => (v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0) ? undefined : v);
  return {
    Cmd: empty(x.Cmd),
    Entrypoint: empty(x.Entrypoint),
    Env: empty(x.Env),
    Labels: empty(x.Labels),
    ExposedPorts: empty(x.ExposedPorts),
    Volumes: empty(x.Volumes),
    User: x.User || undefined,
    WorkingDir: x.WorkingDir || undefined,
    Shell: empty(x.Shell),
    Healthcheck: empty(x.Healthcheck),
    OnBuild: empty(x.OnBuild),
    StopSignal: x.StopSignal || undefined,
  };
}

/**
 * Ends the cache key of a step BuildKit ran, so the two front doors never share a step image: each image carries
 * its own history text (`#(nop) …` or BuildKit's).
 */
export const BUILDKIT_KEY_MARK = '#buildkit';

export interface CacheHit {
  record: ImageRecord;
  config: ImageConfig;
}

export class BuildCache {
  private readonly children = new Map<string, ImageRecord[]>();

  constructor(
    private readonly images: ImageService,
    private readonly cacheFrom: string[],
  ) {
    for (const img of images.deps.meta.all()) {
      const key = img.parent ?? '';
      this.children.set(key, [...(this.children.get(key) ?? []), img]);
    }
  }

  /** Remembers an image made during this build, so a later identical step (another stage) finds it. */
  add(record: ImageRecord): void {
    const key = record.parent ?? '';
    this.children.set(key, [...(this.children.get(key) ?? []), record]);
  }

  async lookup(parent: ImageRecord | undefined, probe: ContainerConfigJson, createdBy: string): Promise<CacheHit | undefined> {
    const want = comparable(probe);
    const candidates = (this.children.get(parent?.id ?? '') ?? []).sort((a, b) => (a.created < b.created ? 1 : -1));
    const allowed = this.cacheFrom.length > 0 ? this.sourceChain() : undefined;
    for (const c of candidates) {
      if (!this.images.deps.meta.get(c.id)) continue;
      // With --cache-from, dockerd takes a local hit only when one of those images descends from it.
      if (allowed && !allowed.has(c.id)) continue;
      const config = await this.images.config(c.id).catch(() => undefined);
      if (config && isDeepStrictEqual(comparable(config.container_config), want)) return { record: c, config };
    }
    return this.fromCacheSources(parent, createdBy);
  }

  /**
   * The layer a `COPY --link` step with this cache key made on any parent, for reuse on another: such a layer holds
   * only what the step copied, whatever was below it (the step's image has it on top).
   */
  async linkedLayer(cacheKey: string[]): Promise<{ desc: Descriptor; diffId: string } | undefined> {
    for (const img of this.images.deps.meta.all()) {
      const top = img.layers.length - 1;
      if (top < 0) continue;
      const config = await this.images.config(img.id).catch(() => undefined);
      const last = config?.history?.[config.history.length - 1];
      if (!config || last?.empty_layer || !isDeepStrictEqual(config.container_config?.Cmd, cacheKey)) continue;
      return { desc: img.layers[top]!, diffId: img.diffIds[top]! };
    }
    return undefined;
  }

  private chain: Set<string> | undefined;

  /** The `--cache-from` images and all their parents (images built here keep their parent links). */
  private sourceChain(): Set<string> {
    if (this.chain) return this.chain;
    const ids = new Set<string>();
    for (const ref of this.cacheFrom) {
      let id: string | undefined;
      try {
        id = this.images.get(ref).id;
      } catch {
        continue;
      }
      while (id && !ids.has(id)) {
        ids.add(id);
        id = this.images.deps.meta.get(id)?.parent;
      }
    }
    this.chain = ids;
    return ids;
  }

  /** `--cache-from`: an image whose history continues the parent's with this very step. */
  private async fromCacheSources(parent: ImageRecord | undefined, createdBy: string): Promise<CacheHit | undefined> {
    if (this.cacheFrom.length === 0) return undefined;
    const parentConfig = parent ? await this.images.config(parent.id) : undefined;
    const parentHistory = parentConfig?.history ?? [];
    const parentDiffs = parent?.diffIds ?? [];
    for (const ref of this.cacheFrom) {
      let src: ImageRecord;
      try {
        src = this.images.get(ref);
      } catch {
        continue;
      }
      const cfg = await this.images.config(src.id);
      const history = cfg.history ?? [];
      if (history.length <= parentHistory.length) continue;
      if (!parentHistory.every((h, i) => history[i]?.created_by === h.created_by)) continue;
      if (!parentDiffs.every((d, i) => src.diffIds[i] === d)) continue;
      const next = history[parentHistory.length]!;
      if (next.created_by !== createdBy) continue;
      return { record: src, config: cfg };
    }
    return undefined;
  }
}
