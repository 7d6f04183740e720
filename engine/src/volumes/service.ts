import { randomBytes } from 'node:crypto';
import { Conflict, InvalidArgument, NotFound, errorMessage } from '../base/errors.js';
import type { Filters } from '../base/filters.js';
import type { Logger } from '../base/log.js';
import type { EventsService } from '../events/events.js';
import { copyUp } from './copyup.js';
import { pruneMatcher, volumeMatcher } from './filters.js';
import { mountLocal, unmountLocal, validateLocalOpts } from './local-driver.js';
import { directorySize } from '../base/dir-size.js';
import { VolumeStore } from './store.js';
import { ANONYMOUS_LABEL, type VolumeCreateRequest, type VolumeRecord } from './types.js';

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export interface VolumeView extends VolumeRecord {
  Mountpoint: string;
  Scope: 'local';
  UsageData?: { Size: number; RefCount: number };
}

/**
 * Volumes with the `local` driver. Containers register their use with acquire/release (in memory: the
 * containers layer acquires again for every container it restores at start), which makes a volume in use
 * (remove answers 409, prune skips it, `dangling=false` lists it).
 */
export class VolumeService {
  readonly store: VolumeStore;
  private readonly users = new Map<string, Set<string>>();

  constructor(private readonly opts: { dataRoot: string; events: EventsService; log: Logger }) {
    this.store = new VolumeStore(opts.dataRoot);
  }

  async init(): Promise<void> {
    await this.store.load(this.opts.log);
  }

  view(rec: VolumeRecord): VolumeView {
    return { ...rec, Mountpoint: this.store.dataDir(rec.Name), Scope: 'local' };
  }

  private mustGet(name: string): VolumeRecord {
    const rec = this.store.get(name);
    if (!rec) throw new NotFound(`get ${name}: no such volume`);
    return rec;
  }

  inspect(name: string): VolumeView {
    return this.view(this.mustGet(name));
  }

  async create(req: VolumeCreateRequest): Promise<VolumeView> {
    const driver = req.Driver || 'local';
    if (driver !== 'local') throw new NotFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    let name = req.Name ?? '';
    const labels: Record<string, string> = { ...(req.Labels ?? {}) };
    if (name === '') {
      name = randomBytes(32).toString('hex');
      labels[ANONYMOUS_LABEL] = '';
    } else if (!NAME.test(name)) {
      if (name.length === 1) throw new InvalidArgument('volume name is too short, names should be at least two alphanumeric characters');
      throw new InvalidArgument(
        `"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    }
    const existing = this.store.get(name);
    if (existing) return this.view(existing);
    const rec: VolumeRecord = {
      Name: name,
      Driver: 'local',
      Labels: Object.keys(labels).length > 0 ? labels : req.Labels ? {} : null,
      Options: validateLocalOpts(req.DriverOpts),
      CreatedAt: `${new Date().toISOString().slice(0, 19)}Z`,
    };
    await this.store.save(rec);
    this.opts.events.publish('volume', 'create', name, { driver: 'local' });
    return this.view(rec);
  }

  /**
   * The containers layer's entry: the named volume (created if missing) or a new anonymous one, mounted when it
   * has driver options (tmpfs, bind, …) so its mountpoint is ready to bind into the container.
   */
  async ensure(
    name: string | undefined,
    opts: { driver?: string; labels?: Record<string, string>; driverOpts?: Record<string, string> } = {},
  ): Promise<{ name: string; mountpoint: string; driver: string }> {
    const v = await this.create({ Name: name ?? '', Driver: opts.driver, Labels: opts.labels, DriverOpts: opts.driverOpts });
    if (v.Options) await mountLocal(v.Options, v.Mountpoint);
    return { name: v.Name, mountpoint: v.Mountpoint, driver: v.Driver };
  }

  acquire(name: string, containerId: string): void {
    const set = this.users.get(name) ?? new Set<string>();
    set.add(containerId);
    this.users.set(name, set);
  }

  release(name: string, containerId: string): void {
    const set = this.users.get(name);
    set?.delete(containerId);
    if (set && set.size === 0) this.users.delete(name);
  }

  /** Container IDs using a volume. */
  usersOf(name: string): string[] {
    return [...(this.users.get(name) ?? [])];
  }

  private inUse = (name: string): boolean => (this.users.get(name)?.size ?? 0) > 0;

  list(filters: Filters): { Volumes: VolumeView[]; Warnings: null } {
    const match = volumeMatcher(filters, this.inUse);
    return { Volumes: this.store.all().filter(match).map((v) => this.view(v)), Warnings: null };
  }

  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    const rec = this.store.get(name);
    if (!rec) {
      if (opts.force) return;
      throw new NotFound(`get ${name}: no such volume`);
    }
    const users = this.usersOf(name);
    if (users.length > 0) throw new Conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    if (rec.Options) await unmountLocal(this.store.dataDir(name));
    await this.store.remove(name);
    this.opts.events.publish('volume', 'destroy', name, { driver: 'local' });
  }

  async prune(filters: Filters, apiVersion: number): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    const match = pruneMatcher(filters, this.inUse, apiVersion);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const rec of this.store.all().filter(match)) {
      try {
        const size = rec.Options ? 0 : await directorySize(this.store.dataDir(rec.Name));
        await this.remove(rec.Name);
        deleted.push(rec.Name);
        reclaimed += size;
      } catch (err) {
        this.opts.log.warn({ volume: rec.Name, err: errorMessage(err) }, 'prune: volume not removed');
      }
    }
    this.opts.events.publish('volume', 'prune', '', { reclaimed: String(reclaimed) });
    return { VolumesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }

  /** The volumes part of `/system/df`: every volume with its size and how many containers use it. */
  async df(): Promise<VolumeView[]> {
    const out: VolumeView[] = [];
    for (const rec of this.store.all()) {
      const size = rec.Options ? -1 : await directorySize(this.store.dataDir(rec.Name));
      out.push({ ...this.view(rec), UsageData: { Size: size, RefCount: this.usersOf(rec.Name).length } });
    }
    return out;
  }

  /** Mounts an option-driven volume for a container start (no-op for plain volumes); returns the mountpoint. */
  async mount(name: string): Promise<string> {
    const rec = this.mustGet(name);
    const dir = this.store.dataDir(name);
    if (rec.Options) await mountLocal(rec.Options, dir);
    return dir;
  }

  /** Unmounts an option-driven volume once no container uses it. */
  async unmount(name: string): Promise<void> {
    const rec = this.store.get(name);
    if (rec?.Options && !this.inUse(name)) await unmountLocal(this.store.dataDir(name));
  }

  copyUp(sourceDir: string, volumeDir: string): Promise<void> {
    return copyUp(sourceDir, volumeDir).then(() => undefined);
  }
}
