/**
 * Reference counting by reachability: a snapshot or blob stays while an image record, a container's image, or a
 * lease (an operation in flight, e.g. a pull that has not registered its image yet) reaches it. Everything else is
 * removed. Run after every delete and prune, serialised so two collections never race.
 */
import type { ImageDeps } from './deps.js';

/** Keys (chain IDs, blob digests) protected while an operation runs. */
export class Leases {
  private readonly counts = new Map<string, number>();

  hold(keys: Iterable<string>): () => void {
    const held = [...keys];
    for (const k of held) this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of held) {
        const n = (this.counts.get(k) ?? 1) - 1;
        if (n <= 0) this.counts.delete(k);
        else this.counts.set(k, n);
      }
    };
  }

  has(key: string): boolean {
    return this.counts.has(key);
  }
}

export interface GcResult {
  /** Chain IDs of the snapshots removed. */
  snapshots: string[];
  /** Unpacked bytes freed (what dockerd reports as SpaceReclaimed). */
  reclaimed: number;
}

let running: Promise<unknown> = Promise.resolve();

export function collectGarbage(deps: ImageDeps, leases: Leases): Promise<GcResult> {
  const run = async (): Promise<GcResult> => {
    const chains = new Set<string>();
    const blobs = new Set<string>();
    for (const img of deps.meta.all()) {
      img.chainIds.forEach((c) => chains.add(c));
      blobs.add(img.id);
      if (img.manifest) blobs.add(img.manifest.digest);
      img.layers.forEach((l) => blobs.add(l.digest));
      img.repoDigests.forEach((r) => blobs.add(r.slice(r.indexOf('@') + 1)));
    }
    const result: GcResult = { snapshots: [], reclaimed: 0 };
    for (const s of await deps.snapshots.list()) {
      if (chains.has(s.chainId) || leases.has(s.chainId)) continue;
      await deps.snapshots.remove(s.chainId);
      result.snapshots.push(s.chainId);
      result.reclaimed += s.size;
    }
    for (const b of await deps.content.list()) {
      if (blobs.has(b.digest) || leases.has(b.digest)) continue;
      await deps.content.delete(b.digest);
    }
    return result;
  };
  const p = running.then(run, run);
  running = p.catch(() => undefined);
  return p;
}
