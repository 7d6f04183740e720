/**
 * The build service: `POST /build` (classic builder), `POST /build/prune` and the build-cache part of
 * `/system/df`. The cache of the classic builder is made of the untagged intermediate images its steps commit.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { errorMessage } from '../base/errors.js';
import type { Filters } from '../base/filters.js';
import type { Logger } from '../base/log.js';
import { shortId } from '../base/ids.js';
import { spreadTrees } from '../base/spread-trees.js';
import { BackgroundRemover } from '../base/trash.js';
import { unmountRootfs } from '../containers/rootfs.js';
import type { ContainerService } from '../containers/service.js';
import type { ImageService } from '../images/service.js';
import { Builder } from './builder.js';
import type { BuildOutput } from './build-progress.js';
import { buildCacheRecords, pruneBuildCache, type BuildCacheRecord, type BuildPruneResult } from './cache-usage.js';
import { receiveContext, type BuildContext } from './context.js';
import type { BuildOptions } from './options.js';
import { RunOutputs } from './run-step.js';
import { mountImage, type MountedImage } from './workspace.js';

export interface BuildServiceOptions {
  dataRoot: string;
  execRoot: string;
  images: ImageService;
  containers: ContainerService;
  log: Logger;
}

export interface BuildResult {
  id: string;
  tags: string[];
}

export class BuildService {
  private readonly outputs: RunOutputs;
  private readonly dataDir: string;
  private readonly execDir: string;
  private readonly contextDir: string;
  private readonly cacheMountDir: string;
  /** Deletes finished builds' context dirs in the background. */
  private readonly contextRemover: BackgroundRemover;

  constructor(private readonly o: BuildServiceOptions) {
    this.outputs = new RunOutputs(o.containers);
    this.dataDir = path.join(o.dataRoot, 'build', 'mounts');
    this.contextDir = path.join(o.dataRoot, 'build', 'contexts');
    this.execDir = path.join(o.execRoot, 'build');
    this.cacheMountDir = path.join(o.dataRoot, 'build', 'cache-mounts');
    this.contextRemover = new BackgroundRemover(this.contextDir);
  }

  /** Resolves once init() has run: everything that touches the build dirs waits for it. */
  private ready: Promise<void> = Promise.resolve();

  /**
   * Runs init() without making berthd's start wait for it (under emulation in the VM it cost a second or more of
   * the start): builds wait for it instead. A failure is logged and given to every build.
   */
  initInBackground(): Promise<void> {
    this.ready = this.init();
    this.ready.catch((err: unknown) => this.o.log.warn({ err: errorMessage(err) }, 'clearing what earlier builds left failed'));
    return this.ready;
  }

  /** Clears what a build interrupted by a crash left: mounts first, then their dirs and unpacked contexts. */
  async init(): Promise<void> {
    for (const name of await readdir(this.execDir).catch(() => [] as string[])) {
      const merged = path.join(this.execDir, name);
      await unmountRootfs({ upper: '', work: '', empty: '', merged }).catch(() => undefined);
    }
    await rm(this.dataDir, { recursive: true, force: true });
    await rm(this.contextDir, { recursive: true, force: true });
    for (const d of [this.dataDir, this.contextDir, this.execDir, this.cacheMountDir]) await mkdir(d, { recursive: true, mode: 0o700 });
    // Each received context and each step's upper dir in a block group of its own (`spread-trees.ts`): a
    // 20,000-file context spent most of its transfer in the kernel's inode allocator otherwise.
    await Promise.all([spreadTrees(this.contextDir), spreadTrees(this.dataDir)]);
  }

  async build(body: Readable | undefined, opts: BuildOptions, out: BuildOutput): Promise<BuildResult> {
    await this.ready;
    const ctx = await receiveContext({ body, remote: opts.remote, dockerfile: opts.dockerfile, workRoot: this.contextDir });
    try {
      const builder = this.builder(opts, ctx, out);
      const id = await builder.build();
      return { id, tags: await builder.tag(id) };
    } finally {
      await ctx.cleanup();
    }
  }

  /** Unpacks a context tarball (or fetches `opts.remote`) as `POST /build` does; the caller cleans it up. */
  async receive(body: Readable | undefined, opts: BuildOptions): Promise<BuildContext> {
    await this.ready;
    return receiveContext({ body, remote: opts.remote, dockerfile: opts.dockerfile, workRoot: this.contextDir });
  }

  /** Runs a build whose context arrived another way (BuildKit's FileSync); resolves to the image ID, untagged. */
  async run(ctx: BuildContext, opts: BuildOptions, out: BuildOutput): Promise<string> {
    await this.ready;
    return this.builder(opts, ctx, out).build();
  }

  /** A private directory for a context received another way; the caller removes it (`discardScratch`). */
  async contextScratch(): Promise<string> {
    await this.ready;
    return mkdtemp(path.join(this.contextDir, 'session-'));
  }

  /**
   * Removes a `contextScratch` dir without holding up the build's answer: renamed aside at once, its files (a
   * context can be 20,000 of them) deleted in the background; init() clears what a crash left.
   */
  async discardScratch(dir: string): Promise<void> {
    if (!(await this.contextRemover.discard(dir, 'session'))) await rm(dir, { recursive: true, force: true });
  }

  /** An image's filesystem mounted for reading (BuildKit's local and tar exporters); dispose() unmounts it. */
  async mountImage(id: string): Promise<MountedImage> {
    const layers = this.o.images.get(id).chainIds.map((c) => this.o.images.deps.snapshots.fsPath(c));
    await this.ready;
    return mountImage({ dataDir: this.dataDir, execDir: this.execDir }, layers);
  }

  private builder(opts: BuildOptions, ctx: BuildContext, out: BuildOutput): Builder {
    const deps = { images: this.o.images, containers: this.o.containers, outputs: this.outputs, dirs: { dataDir: this.dataDir, execDir: this.execDir, cacheMountDir: this.cacheMountDir } };
    return new Builder(deps, opts, ctx, out);
  }

  static successLines(r: BuildResult): string[] {
    return [`Successfully built ${shortId(r.id)}\n`, ...r.tags.map((t) => `Successfully tagged ${t}\n`)];
  }

  /** `BuildCache` of `GET /system/df`. */
  diskUsage(): Promise<BuildCacheRecord[]> {
    return buildCacheRecords(this.o.images);
  }

  prune(filters: Filters): Promise<BuildPruneResult> {
    return pruneBuildCache(this.o.images, filters);
  }
}
