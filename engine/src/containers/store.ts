import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Conflict, InvalidArgument, NotFound } from '../base/errors.js';
import { atomicWriteJson, readJsonIfExists } from '../base/fsutil.js';
import { BackgroundRemover, isRemovedName } from '../base/trash.js';
import type { ContainerRecord } from './types.js';

const CONFIG_FILE = 'config.v2.json';

/**
 * Containers by ID with a name index, persisted one file per container and written atomically, so a crash leaves
 * each container either as it was or as it became. Lookups follow dockerd: full ID, exact name (with or without
 * the leading slash), then a unique ID prefix.
 */
export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();
  /**
   * Containers whose record need not survive a power cut (a build step's, gone within seconds and cleared by the
   * build either way): saved without fsync. load() drops a record it cannot read, so a torn one is no harm.
   */
  private readonly volatile = new Set<string>();
  /**
   * Containers removed in the last minutes, by ID, with when: a save still in flight for one (exit handling, a
   * health probe, a network change that raced `rm -f`) must not bring it back into the list or onto the disk.
   * IDs are never reused, so a late save is simply dropped.
   */
  private readonly removed = new Map<string, number>();
  /** Each container's last write, so that the next one waits for it: writes land in the order they were asked for. */
  private readonly writing = new Map<string, Promise<void>>();
  /** Deletes removed containers' files in the background. */
  private readonly remover: BackgroundRemover;
  readonly root: string;

  constructor(root: string) {
    this.root = root;
    this.remover = new BackgroundRemover(root);
  }

  async load(): Promise<ContainerRecord[]> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o710 });
    for (const id of await fs.readdir(this.root)) {
      // A removed container's files that were still being deleted when berthd stopped.
      if (isRemovedName(id)) {
        this.remover.later(path.join(this.root, id));
        continue;
      }
      const record = await readJsonIfExists<ContainerRecord>(path.join(this.root, id, CONFIG_FILE)).catch(() => undefined);
      // A directory without a config is a create that crashed half-way: nothing references it.
      if (!record) {
        await fs.rm(path.join(this.root, id), { recursive: true, force: true });
        continue;
      }
      this.byId.set(record.Id, record);
      this.byName.set(record.Name, record.Id);
    }
    return [...this.byId.values()];
  }

  dir(id: string): string {
    return path.join(this.root, id);
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /** Reserves a name; `Conflict` in dockerd's words when another container has it. */
  reserveName(name: string, id: string): void {
    const owner = this.byName.get(name);
    if (owner && owner !== id) {
      throw new Conflict(
        `Conflict. The container name "${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    this.byName.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.byName.get(name) === id) this.byName.delete(name);
  }

  hasName(name: string): boolean {
    return this.byName.has(name);
  }

  /** `durable: false` (at create) marks the container volatile: this save and every later one skip the fsyncs. */
  async save(record: ContainerRecord, opts: { durable?: boolean } = {}): Promise<void> {
    if (this.removed.has(record.Id)) return;
    if (opts.durable === false) this.volatile.add(record.Id);
    await this.persist(record);
    if (!this.removed.has(record.Id)) this.byId.set(record.Id, record);
  }

  /**
   * Writes a record to disk only, durably (but for a volatile container, or with `durable: false`: no fsync, which
   * a kill -9 of berthd still finds), leaving the one in memory as it is: start writes the state a container is
   * about to have before its command runs, and shows it once it does.
   */
  persist(record: ContainerRecord, opts: { durable?: boolean } = {}): Promise<void> {
    // Two writes of one file side by side could land in either order (an fsync'd one behind one without): the
    // older state would win on disk, and in memory too, where save() puts what it wrote.
    const id = record.Id;
    const write = (this.writing.get(id) ?? Promise.resolve()).then(() => this.write(record, opts));
    const done = write.catch(() => undefined);
    this.writing.set(id, done);
    void done.then(() => {
      if (this.writing.get(id) === done) this.writing.delete(id);
    });
    return write;
  }

  private async write(record: ContainerRecord, opts: { durable?: boolean }): Promise<void> {
    if (this.removed.has(record.Id)) return;
    const dir = this.dir(record.Id);
    const sync = opts.durable !== false && !this.volatile.has(record.Id);
    try {
      await fs.mkdir(dir, { recursive: true, mode: 0o710 });
      await atomicWriteJson(path.join(dir, CONFIG_FILE), record, 0o600, { sync });
    } catch (err) {
      // The directory was taken away by a removal while this write was on its way: the container is gone.
      if (this.removed.has(record.Id) && (err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    // A removal that came between the check and the write: without its config the directory is never loaded as a
    // container again (load() clears it), whichever of the removal's rename and this write came first.
    if (this.removed.has(record.Id)) await fs.rm(path.join(dir, CONFIG_FILE), { force: true });
  }

  /**
   * Removes the container: one rename takes its directory out of the store (atomically: load() sweeps a renamed
   * one), then its files (the writable layer can be big) are deleted in the background.
   */
  async delete(record: ContainerRecord): Promise<void> {
    this.markRemoved(record.Id);
    const dir = this.dir(record.Id);
    if (!(await this.remover.discard(dir, record.Id))) {
      // Not renamed: without its config the directory is never loaded as a container again; delete it in place.
      await fs.rm(path.join(dir, CONFIG_FILE), { force: true });
      this.remover.later(dir);
    }
    this.byId.delete(record.Id);
    this.volatile.delete(record.Id);
    this.releaseName(record.Name, record.Id);
  }

  /** Remembers a removal for ten minutes, far longer than any save in flight can take. */
  private markRemoved(id: string): void {
    const now = Date.now();
    for (const [old, at] of this.removed) {
      if (now - at < 600_000) break;
      this.removed.delete(old);
    }
    this.removed.set(id, now);
  }

  /** Resolves once the files of every container removed so far are gone. */
  settled(): Promise<void> {
    return this.remover.settled();
  }

  find(idOrName: string): ContainerRecord | undefined {
    if (idOrName === '') return undefined;
    const exact = this.byId.get(idOrName);
    if (exact) return exact;
    const byName = this.byName.get(idOrName.startsWith('/') ? idOrName : `/${idOrName}`);
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(idOrName)) return undefined;
    const matches = [...this.byId.keys()].filter((id) => id.startsWith(idOrName));
    if (matches.length > 1) throw new InvalidArgument(`multiple IDs found with provided prefix: ${idOrName}`);
    return matches[0] ? this.byId.get(matches[0]) : undefined;
  }

  /** `No such container: x` (404) when absent. */
  get(idOrName: string): ContainerRecord {
    const record = this.find(idOrName);
    if (!record) throw new NotFound(`No such container: ${idOrName}`);
    return record;
  }
}
