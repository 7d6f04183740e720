/**
 * Image metadata: image records by ID (the config digest) and the tag table, kept in one JSON document under
 * `<data-root>/images/db.json`, rewritten atomically on every change (a crash leaves the old or the new state).
 * Mutations are serialised through one queue so concurrent pulls never lose each other's writes.
 */
import { join } from 'node:path';
import { atomicWriteJson, ensureDirMode, readJsonIfExists } from '../base/fsutil.js';
import type { Descriptor, Platform } from '../registry/mediatypes.js';

export interface ImageRecord {
  /** `sha256:<hex>` of the config blob. */
  id: string;
  /** The platform manifest, when the image came with one (pull, load of an OCI/containerd-style archive). */
  manifest?: Descriptor;
  /** Layer blobs as stored in the content store, aligned with `diffIds`. */
  layers: Descriptor[];
  diffIds: string[];
  chainIds: string[];
  /** Unpacked size of each layer, aligned with `diffIds`. */
  layerSizes: number[];
  /** `docker.io/library/busybox@sha256:…`: the canonical repo digests. */
  repoDigests: string[];
  platform: Platform;
  /** RFC 3339 from the config (`created`). */
  created: string;
  /** When the image landed in this store. */
  added: string;
  lastTagTime?: string;
  /** The image a local build step (or `docker commit`) started from: the classic builder's cache walks these. */
  parent?: string;
}

interface Db {
  version: 1;
  images: Record<string, ImageRecord>;
  /** Canonical `domain/path:tag` → image ID. */
  tags: Record<string, string>;
}

export class ImageMetaStore {
  private db: Db = { version: 1, images: {}, tags: {} };
  private queue: Promise<unknown> = Promise.resolve();
  private readonly file: string;

  constructor(private readonly root: string) {
    this.file = join(root, 'db.json');
  }

  async init(): Promise<void> {
    await ensureDirMode(this.root, 0o700);
    this.db = (await readJsonIfExists<Db>(this.file)) ?? this.db;
  }

  get(id: string): ImageRecord | undefined {
    return this.db.images[id];
  }

  all(): ImageRecord[] {
    return Object.values(this.db.images);
  }

  tagTarget(canonicalTag: string): string | undefined {
    return this.db.tags[canonicalTag];
  }

  /** Canonical tags pointing at an image. */
  tagsOf(id: string): string[] {
    return Object.entries(this.db.tags)
      .filter(([, target]) => target === id)
      .map(([tag]) => tag)
      .sort();
  }

  allTags(): Record<string, string> {
    return { ...this.db.tags };
  }

  /** Applies `change` to a copy of the state and persists it; the in-memory view switches only on success. */
  update<T>(change: (db: Db) => T): Promise<T> {
    const run = async (): Promise<T> => {
      const next = structuredClone(this.db);
      const result = change(next);
      await atomicWriteJson(this.file, next, 0o600);
      this.db = next;
      return result;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }
}

export type { Db as ImageDb };
