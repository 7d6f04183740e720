import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { atomicWriteJson, fsyncDir, readJsonIfExists } from '../base/fsutil.js';
import type { Logger } from '../base/log.js';
import type { VolumeRecord } from './types.js';

/**
 * Volumes on disk: `<data-root>/volumes/<name>/_data` holds the data, `volume.json` beside it (written last,
 * atomically) makes the volume exist. Removal renames the directory into a trash name first, so a crash
 * mid-delete never leaves a half-removed volume visible; trash is emptied at the next start.
 */
export class VolumeStore {
  readonly root: string;
  private readonly records = new Map<string, VolumeRecord>();

  constructor(dataRoot: string) {
    this.root = path.join(dataRoot, 'volumes');
  }

  dataDir(name: string): string {
    return path.join(this.root, name, '_data');
  }

  async load(log?: Logger): Promise<void> {
    await fs.mkdir(this.root, { recursive: true, mode: 0o701 });
    for (const name of await fs.readdir(this.root)) {
      const dir = path.join(this.root, name);
      if (name.startsWith('.trash-')) {
        await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
        continue;
      }
      try {
        const rec = await readJsonIfExists<VolumeRecord>(path.join(dir, 'volume.json'));
        if (rec) this.records.set(rec.Name, rec);
      } catch (err) {
        log?.warn({ volume: name, err: (err as Error).message }, 'skipping unreadable volume record');
      }
    }
  }

  all(): VolumeRecord[] {
    return [...this.records.values()];
  }

  get(name: string): VolumeRecord | undefined {
    return this.records.get(name);
  }

  async save(rec: VolumeRecord): Promise<void> {
    const dir = path.join(this.root, rec.Name);
    await fs.mkdir(path.join(dir, '_data'), { recursive: true, mode: 0o755 });
    await atomicWriteJson(path.join(dir, 'volume.json'), rec, 0o600);
    this.records.set(rec.Name, rec);
  }

  async remove(name: string): Promise<void> {
    const dir = path.join(this.root, name);
    const trash = path.join(this.root, `.trash-${name}-${randomBytes(4).toString('hex')}`);
    await fs.rename(dir, trash);
    this.records.delete(name);
    await fsyncDir(this.root);
    await fs.rm(trash, { recursive: true, force: true });
  }
}
