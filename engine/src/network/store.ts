import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteJson, fsyncDir, readJsonIfExists } from '../base/fsutil.js';
import type { Logger } from '../base/log.js';
import type { NetworkRecord } from './types.js';

/**
 * Networks on disk: one JSON file per network under `<data-root>/network/networks/`, each written atomically, so
 * a crash leaves every network either as it was or as it became, with its endpoints and allocated addresses.
 */
export class NetworkStore {
  private readonly dir: string;
  private readonly records = new Map<string, NetworkRecord>();
  /** Each record as last read or written: start-up saves every predefined network, and on a full disk an
   * unchanged one must not need a write (berthd has to start there so that space can be freed through it). */
  private readonly onDisk = new Map<string, string>();

  constructor(dataRoot: string) {
    this.dir = path.join(dataRoot, 'network', 'networks');
  }

  async load(log?: Logger): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(this.dir)) {
      if (!/^[0-9a-f]{64}\.json$/.test(name)) continue;
      try {
        const rec = await readJsonIfExists<NetworkRecord>(path.join(this.dir, name));
        if (rec) {
          this.records.set(rec.id, rec);
          this.onDisk.set(rec.id, JSON.stringify(rec));
        }
      } catch (err) {
        log?.warn({ file: name, err: (err as Error).message }, 'skipping unreadable network record');
      }
    }
  }

  all(): NetworkRecord[] {
    return [...this.records.values()];
  }

  get(id: string): NetworkRecord | undefined {
    return this.records.get(id);
  }

  async save(rec: NetworkRecord): Promise<void> {
    const text = JSON.stringify(rec);
    if (this.onDisk.get(rec.id) !== text) {
      await atomicWriteJson(path.join(this.dir, `${rec.id}.json`), rec, 0o600);
      this.onDisk.set(rec.id, text);
    }
    this.records.set(rec.id, rec);
  }

  async remove(id: string): Promise<void> {
    await fs.rm(path.join(this.dir, `${id}.json`), { force: true });
    await fsyncDir(this.dir);
    this.records.delete(id);
    this.onDisk.delete(id);
  }
}
