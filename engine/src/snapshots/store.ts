/**
 * Overlay snapshots under `<data-root>/snapshots`: `<chain-hex>/fs` is one layer's unpacked diff (an overlay lower
 * dir) and `<chain-hex>/meta.json` its record. A snapshot is prepared in `.ingest/<random>` and committed by one
 * rename, so after a crash it either exists whole or not at all; `init()` sweeps leftovers. A layer made on this
 * machine (a build step) is adopted: its overlay upper dir is moved in instead of being unpacked from its tar.
 * A removed snapshot is renamed out of the store at once and its files deleted in the background (`rmi` does not
 * wait for thousands of unlinks); one a crash left renamed is deleted at the next `init()`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureDirMode } from '../base/fsutil.js';
import { spreadTrees } from '../base/spread-trees.js';
import { BackgroundRemover } from '../base/trash.js';
import { parseDigest } from '../content/digest.js';
import { syncDir } from '../content/ingest.js';
import { FlushGroup } from './flush.js';

const run = promisify(execFile);

export interface SnapshotMeta {
  chainId: string;
  diffId: string;
  parent?: string;
  /** Unpacked content size in bytes. */
  size: number;
  created: string;
}

export interface PreparedSnapshot {
  /** Directory to unpack into. */
  fs: string;
  /** `sync: false` leaves flushing the files to the caller (a build syncs once at its end, not per layer). */
  commit(meta: Omit<SnapshotMeta, 'created'>, opts?: { sync?: boolean }): Promise<void>;
  abort(): Promise<void>;
}

export class SnapshotStore {
  readonly root: string;
  private readonly ingestRoot: string;
  private readonly remover: BackgroundRemover;
  private readonly flushes: FlushGroup;
  private spread: Promise<void> | undefined;

  constructor(root: string) {
    this.root = root;
    this.ingestRoot = join(root, '.ingest');
    this.remover = new BackgroundRemover(root);
    this.flushes = new FlushGroup(root);
  }

  /**
   * Resolves once everything written to the store's file system before the call is on disk: one syncfs shared
   * with any layer commits and other callers flushing at the same time (a build flushes its unsynced layers once).
   */
  flush(): Promise<void> {
    return this.flushes.flush();
  }

  async init(): Promise<void> {
    // 0710 as dockerd's overlay2: layers hold setuid binaries, so no host user may reach them.
    await ensureDirMode(this.root, 0o710);
    await rm(this.ingestRoot, { recursive: true, force: true });
    await mkdir(this.ingestRoot, { recursive: true });
    await this.remover.sweep();
  }

  dir(chainId: string): string {
    return join(this.root, parseDigest(chainId).hex);
  }

  /** The overlay lower dir of a committed snapshot. */
  fsPath(chainId: string): string {
    return join(this.dir(chainId), 'fs');
  }

  async has(chainId: string): Promise<boolean> {
    return (await stat(join(this.dir(chainId), 'meta.json')).catch(() => undefined)) !== undefined;
  }

  async meta(chainId: string): Promise<SnapshotMeta | undefined> {
    try {
      return JSON.parse(await readFile(join(this.dir(chainId), 'meta.json'), 'utf8')) as SnapshotMeta;
    } catch {
      return undefined;
    }
  }

  async prepare(): Promise<PreparedSnapshot> {
    // Each layer's tree in a block group of its own (`spread-trees.ts`).
    this.spread ??= spreadTrees(this.ingestRoot);
    await this.spread;
    const tmp = join(this.ingestRoot, randomBytes(8).toString('hex'));
    const fs = join(tmp, 'fs');
    await mkdir(fs, { recursive: true, mode: 0o755 });
    return {
      fs,
      commit: async (m, opts) => {
        const meta: SnapshotMeta = { ...m, created: new Date().toISOString() };
        await writeFile(join(tmp, 'meta.json'), JSON.stringify(meta));
        // syncfs before the rename: a power cut must not leave a committed snapshot with torn files. Layers of one
        // pull committing together share a flush.
        if (opts?.sync !== false) await this.flushes.flush();
        const target = this.dir(m.chainId);
        try {
          await rename(tmp, target);
        } catch (err) {
          // Another pull committed the same chain first: theirs is as good as ours.
          if ((err as NodeJS.ErrnoException).code !== 'ENOTEMPTY' && (err as NodeJS.ErrnoException).code !== 'EEXIST') {
            throw err;
          }
          await rm(tmp, { recursive: true, force: true });
        }
        if (opts?.sync !== false) await syncDir(this.root);
      },
      abort: () => rm(tmp, { recursive: true, force: true }),
    };
  }

  /**
   * Prepares a snapshot from a directory already laid out as an overlay lower dir (a build step's upper dir): its
   * entries are moved in, not copied, so the layer is written once. `drop` names relative paths to delete first
   * (what the layer tar left out), `strip` the overlay-private xattrs to remove (the upper dir's own bookkeeping,
   * which an unpacked layer never has); the dir's own xattrs stay behind with it. The caller commits or aborts.
   */
  async adopt(dir: string, o: { drop?: Iterable<string>; strip?: Map<string, string[]> } = {}): Promise<PreparedSnapshot> {
    const prepared = await this.prepare();
    try {
      for (const rel of o.drop ?? []) await rm(join(dir, rel), { recursive: true, force: true });
      for (const [rel, names] of o.strip ?? []) {
        for (const name of names) await run('setfattr', ['-h', '-x', name, join(dir, rel)]);
      }
      for (const name of await readdir(dir)) await rename(join(dir, name), join(prepared.fs, name));
    } catch (err) {
      await prepared.abort();
      throw err;
    }
    return prepared;
  }

  /**
   * Takes the snapshot out of the store with one rename (so a crash mid-delete never leaves a half-deleted snapshot
   * that looks committed) and deletes its files in the background. A snapshot that is not there is a no-op.
   */
  async remove(chainId: string): Promise<void> {
    await this.remover.discard(this.dir(chainId), parseDigest(chainId).hex);
  }

  /** Resolves once the files of every snapshot removed so far are deleted. */
  settled(): Promise<void> {
    return this.remover.settled();
  }

  async list(): Promise<SnapshotMeta[]> {
    const out: SnapshotMeta[] = [];
    for (const name of await readdir(this.root)) {
      if (name.startsWith('.')) continue;
      const m = await this.meta(`sha256:${name}`).catch(() => undefined);
      if (m) out.push(m);
    }
    return out;
  }
}
