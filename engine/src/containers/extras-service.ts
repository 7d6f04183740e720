import type { Readable, Writable } from 'node:stream';
import { getContainerArchive, putContainerArchive, statContainerPath, type PutArchiveOptions } from './archive.js';
import { containerChanges, type Change } from './changes.js';
import type { ContainerContext } from './context.js';
import { containerSizes, containersDiskUsage, type ContainerSizes } from './disk-usage.js';
import { exportContainer } from './export.js';
import type { PathStat } from './path-stat.js';
import { pruneContainers, type PruneReport } from './prune.js';
import { containerStats, type StatsOptions, type StatsSample } from './stats.js';
import { updateContainer, type UpdateBody } from './update.js';

/**
 * The container endpoints beyond lifecycle and I/O: stats, archive (docker cp), export, changes, update, prune,
 * and the sizes behind `size=1` and `/system/df`. Built on the ContainerService's context.
 */
export class ContainerExtras {
  private readonly ctx: ContainerContext;

  constructor(ctx: ContainerContext) {
    this.ctx = ctx;
  }

  stats(idOrName: string, opts: StatsOptions, emit: (s: StatsSample) => Promise<void> | void, signal: AbortSignal): Promise<void> {
    return containerStats(this.ctx, idOrName, opts, emit, signal);
  }

  statPath(idOrName: string, path: string | null): Promise<PathStat> {
    return statContainerPath(this.ctx, idOrName, path);
  }

  getArchive(idOrName: string, path: string | null, open: (stat: PathStat) => Writable): Promise<void> {
    return getContainerArchive(this.ctx, idOrName, path, open);
  }

  putArchive(idOrName: string, path: string | null, body: Readable, opts: PutArchiveOptions): Promise<void> {
    return putContainerArchive(this.ctx, idOrName, path, body, opts);
  }

  export(idOrName: string, open: () => Writable): Promise<void> {
    return exportContainer(this.ctx, idOrName, open);
  }

  changes(idOrName: string): Promise<Change[]> {
    return containerChanges(this.ctx, idOrName);
  }

  update(idOrName: string, body: UpdateBody): Promise<{ Warnings: string[] | null }> {
    return updateContainer(this.ctx, idOrName, body);
  }

  prune(filters: string | null): Promise<PruneReport> {
    return pruneContainers(this.ctx, filters);
  }

  /** `SizeRw`/`SizeRootFs` of one container. */
  sizes(idOrName: string): Promise<ContainerSizes> {
    return containerSizes(this.ctx, this.ctx.store.get(idOrName));
  }

  /** The `Containers` array of `GET /system/df`. */
  diskUsage(): Promise<Array<Record<string, unknown>>> {
    return containersDiskUsage(this.ctx);
  }
}
