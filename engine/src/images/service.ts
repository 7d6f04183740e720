/**
 * The image service: the one object the API routers and the containers layer talk to. It owns the stores under
 * `--data-root` (content/, snapshots/, images/) and delegates each verb to its own module.
 */
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { InvalidArgument } from '../base/errors.js';
import { Filters } from '../base/filters.js';
import { ContentStore } from '../content/store.js';
import type { EventsService } from '../events/events.js';
import type { AuthConfig } from '../registry/auth.js';
import { distributionInspect, type DistributionInspect } from '../registry/distribution.js';
import { checkLogin } from '../registry/login.js';
import { searchRegistry, type SearchFilters, type SearchResult } from '../registry/search.js';
import type { RegistryConfig } from '../registry/hosts.js';
import type { Platform } from '../registry/mediatypes.js';
import { isValidTag, parseReference, withDefaultTag, type Reference } from '../registry/reference.js';
import { SnapshotStore } from '../snapshots/store.js';
import type { ImageConfig, ImageDeps, ImageUser } from './deps.js';
import { collectGarbage, Leases } from './gc.js';
import { importImage, type ImportOptions } from './import.js';
import { filterImages, type ListedImage } from './list.js';
import { loadImages } from './load.js';
import { resolveImage } from './lookup.js';
import { hostPlatform } from './platform.js';
import { noProgress, type ProgressSink } from './progress.js';
import { pruneImages, type PruneResult } from './prune.js';
import { pullAllTags, pullImage, type PullOptions } from './pull.js';
import { pushImage } from './push.js';
import { tagImage } from './register.js';
import { removeImage, type DeleteItem, type RemoveOptions } from './remove.js';
import { checkNames, saveImages } from './save.js';
import { ImageMetaStore, type ImageRecord } from './store.js';
import { historyView, imageSize, inspectView, summaryView } from './views.js';

export interface ImageServiceOptions {
  dataRoot: string;
  registry: RegistryConfig;
  events: EventsService;
  platform?: Platform;
}

/** What a container needs from its image: config, and the overlay lower dirs, base layer first. */
export interface ResolvedImage {
  id: string;
  config: ImageConfig;
  /** Snapshot `fs` dirs, base layer first (overlayfs wants them reversed in `lowerdir=`). */
  layers: string[];
  platform: Platform;
}

export interface ImagesDiskUsage {
  LayersSize: number;
  Images: Record<string, unknown>[];
  TotalCount: number;
  ActiveCount: number;
  Reclaimable: number;
}

export class ImageService {
  readonly deps: ImageDeps;
  private readonly configs = new Map<string, ImageConfig>();
  private usersProvider: () => ImageUser[] = () => [];

  constructor(opts: ImageServiceOptions) {
    this.deps = {
      content: new ContentStore(join(opts.dataRoot, 'content')),
      snapshots: new SnapshotStore(join(opts.dataRoot, 'snapshots')),
      meta: new ImageMetaStore(join(opts.dataRoot, 'images')),
      registry: opts.registry,
      events: opts.events,
      platform: opts.platform ?? hostPlatform(),
      users: () => this.usersProvider(),
      leases: new Leases(),
    };
  }

  async init(): Promise<void> {
    await this.deps.content.init();
    await this.deps.snapshots.init();
    await this.deps.meta.init();
    // A crash between a record change and its cleanup leaves unreferenced snapshots or blobs: sweep them now.
    await collectGarbage(this.deps, this.deps.leases);
  }

  /** The containers layer registers who uses which image; `rmi` and GC consult it. */
  setImageUsers(provider: () => ImageUser[]): void {
    this.usersProvider = provider;
  }

  async config(id: string): Promise<ImageConfig> {
    let c = this.configs.get(id);
    if (!c) {
      c = JSON.parse((await this.deps.content.read(id)).toString('utf8')) as ImageConfig;
      this.configs.set(id, c);
    }
    return c;
  }

  get(input: string): ImageRecord {
    return resolveImage(this.deps.meta, input).image;
  }

  /** For the containers layer: image config plus snapshot dirs; 404 `No such image: …` when absent. */
  async resolve(input: string): Promise<ResolvedImage> {
    const image = this.get(input);
    return {
      id: image.id,
      config: await this.config(image.id),
      layers: image.chainIds.map((c) => this.deps.snapshots.fsPath(c)),
      platform: image.platform,
    };
  }

  pull(ref: Reference, opts: PullOptions, sink: ProgressSink = noProgress): Promise<ImageRecord> {
    return pullImage(this.deps, ref, opts, sink);
  }

  pullAllTags(ref: Reference, opts: PullOptions, sink: ProgressSink = noProgress): Promise<void> {
    return pullAllTags(this.deps, ref, opts, sink);
  }

  async inspect(input: string, apiVersion: number): Promise<Record<string, unknown>> {
    const image = this.get(input);
    return inspectView(image, {
      tags: this.deps.meta.tagsOf(image.id),
      config: await this.config(image.id),
      lowerDirs: image.chainIds.map((c) => this.deps.snapshots.fsPath(c)),
      apiVersion,
    });
  }

  async history(input: string): Promise<Record<string, unknown>[]> {
    const image = this.get(input);
    return historyView(image, this.deps.meta.tagsOf(image.id), await this.config(image.id));
  }

  async listed(): Promise<ListedImage[]> {
    const out: ListedImage[] = [];
    for (const image of this.deps.meta.all()) {
      out.push({ image, tags: this.deps.meta.tagsOf(image.id), config: await this.config(image.id) });
    }
    return out;
  }

  async list(filters: Filters, apiVersion: number, all = false): Promise<Record<string, unknown>[]> {
    const items = filterImages(this.deps.meta, await this.listed(), filters, all);
    const users = this.deps.users();
    return items
      .sort((a, b) => (Date.parse(b.image.created) || 0) - (Date.parse(a.image.created) || 0))
      .map((i) =>
        summaryView(i.image, i.tags, i.config.config?.Labels ?? null, users.filter((u) => u.imageId === i.image.id).length, apiVersion),
      );
  }

  async tag(input: string, repo: string, tag: string): Promise<void> {
    const image = this.get(input);
    if (tag && !isValidTag(tag)) throw new InvalidArgument(`invalid tag format`);
    let ref = parseReference(repo);
    if (ref.digest) throw new InvalidArgument('refusing to create a tag with a digest reference');
    if (tag) ref = { ...ref, tag };
    await tagImage(this.deps, image.id, withDefaultTag(ref));
  }

  remove(input: string, opts: RemoveOptions): Promise<DeleteItem[]> {
    return removeImage(this.deps, input, opts);
  }

  prune(filters: Filters): Promise<PruneResult> {
    return pruneImages(this.deps, this, filters);
  }

  gc(): Promise<unknown> {
    return collectGarbage(this.deps, this.deps.leases);
  }

  /**
   * The images part of `/system/df`: per-image summaries (with container counts and shared sizes), the bytes all
   * snapshots take, and the totals the 1.52+ `ImageUsage` object wants.
   */
  async diskUsage(apiVersion: number): Promise<ImagesDiskUsage> {
    const layersSize = (await this.deps.snapshots.list()).reduce((a, s) => a + s.size, 0);
    const images = await this.list(new Filters(), apiVersion);
    const counts = new Map<string, number>();
    for (const img of this.deps.meta.all()) for (const c of img.chainIds) counts.set(c, (counts.get(c) ?? 0) + 1);
    for (const row of images) {
      const rec = this.deps.meta.get(row.Id as string)!;
      row.SharedSize = rec.chainIds.reduce((a, c, i) => a + ((counts.get(c) ?? 0) > 1 ? (rec.layerSizes[i] ?? 0) : 0), 0);
      row.Size = imageSize(rec);
    }
    const active = images.filter((r) => (r.Containers as number) > 0);
    return {
      LayersSize: layersSize,
      Images: images,
      TotalCount: images.length,
      ActiveCount: active.length,
      Reclaimable: images.filter((r) => (r.Containers as number) <= 0).reduce((a, r) => a + (r.Size as number) - (r.SharedSize as number), 0),
    };
  }

  async push(name: string, tag: string, auth: AuthConfig | undefined, sink: ProgressSink, signal?: AbortSignal): Promise<void> {
    await pushImage(this.deps, name, tag, auth, sink, signal);
  }

  checkSave(names: string[]): void {
    checkNames(this.deps, names);
  }

  save(names: string[], out: Writable): Promise<void> {
    return saveImages(this.deps, names, out);
  }

  async load(input: Readable, _quiet: boolean, sink: ProgressSink): Promise<void> {
    await loadImages(this.deps, input, sink);
  }

  async importTar(input: Readable, opts: ImportOptions, sink: ProgressSink): Promise<void> {
    await importImage(this.deps, input, opts, sink);
  }

  /** `GET /images/search`: the registry index's search API (see registry/search.ts). */
  search(term: string, limit: number, filters: SearchFilters, auth: AuthConfig | undefined): Promise<SearchResult[]> {
    return searchRegistry(this.deps.registry, term, limit, filters, auth);
  }

  login(body: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
    return checkLogin(this.deps.registry, body);
  }

  distribution(ref: Reference, auth: AuthConfig | undefined): Promise<DistributionInspect> {
    return distributionInspect(this.deps.registry, ref, auth);
  }

  count(): number {
    return this.deps.meta.all().length;
  }
}
