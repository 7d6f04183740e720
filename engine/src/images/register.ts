/** Records an image whose blobs and snapshots are in place, and points tags at it (pull, load, import, tag). */
import { canonicalString, familiarString, type Reference } from '../registry/reference.js';
import type { ImageDeps } from './deps.js';
import type { ImageRecord } from './store.js';

export interface TagChange {
  /** The image the tag pointed at before, when it moved. */
  previous?: string;
}

export async function registerImage(
  deps: ImageDeps,
  record: ImageRecord,
  tags: Reference[],
): Promise<{ existed: boolean; changes: TagChange[] }> {
  const now = new Date().toISOString();
  return deps.meta.update((db) => {
    const old = db.images[record.id];
    const merged: ImageRecord = old
      ? {
          ...old,
          repoDigests: [...new Set([...old.repoDigests, ...record.repoDigests])],
          manifest: old.manifest ?? record.manifest,
          layers: old.layers.length ? old.layers : record.layers,
        }
      : { ...record };
    if (merged.manifest === undefined) delete merged.manifest;
    const changes: TagChange[] = [];
    for (const t of tags) {
      const key = canonicalString(t);
      const previous = db.tags[key];
      db.tags[key] = record.id;
      merged.lastTagTime = now;
      changes.push(previous && previous !== record.id ? { previous } : {});
    }
    db.images[record.id] = merged;
    return { existed: old !== undefined, changes };
  });
}

/** Adds a tag to an existing image (`docker tag`), publishing the `tag` event. */
export async function tagImage(deps: ImageDeps, id: string, target: Reference): Promise<void> {
  const now = new Date().toISOString();
  await deps.meta.update((db) => {
    const img = db.images[id];
    if (!img) return;
    db.tags[canonicalString(target)] = id;
    img.lastTagTime = now;
  });
  deps.events.publish('image', 'tag', id, { name: familiarString(target) });
}
