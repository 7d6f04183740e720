/**
 * The parent links local builds leave between images (`ImageRecord.parent`), used as dockerd uses them: untagged
 * images with children are intermediate build steps (hidden from `docker images`, kept by `image prune` while
 * something tagged or in use descends from them), and deleting an image also deletes its untagged parents that
 * nothing else needs.
 */
import type { ImageDeps } from './deps.js';
import type { DeleteItem } from './remove.js';
import type { ImageMetaStore } from './store.js';

export function parentsWithChildren(meta: ImageMetaStore): Set<string> {
  const out = new Set<string>();
  for (const img of meta.all()) if (img.parent && meta.get(img.parent)) out.add(img.parent);
  return out;
}

/** Images some tagged or container-used image descends from. */
export function keptAncestors(deps: ImageDeps): Set<string> {
  const kept = new Set<string>();
  const used = new Set(deps.users().map((u) => u.imageId));
  for (const img of deps.meta.all()) {
    if (deps.meta.tagsOf(img.id).length === 0 && !used.has(img.id)) continue;
    for (let p = img.parent; p && !kept.has(p); p = deps.meta.get(p)?.parent) kept.add(p);
  }
  return kept;
}

/** After `img` was deleted: its untagged, unused parents with no other children go too, up the chain. */
export async function deleteUntaggedParents(deps: ImageDeps, parentId: string | undefined, out: DeleteItem[]): Promise<void> {
  const used = new Set(deps.users().map((u) => u.imageId));
  for (let id = parentId; id; ) {
    const rec = deps.meta.get(id);
    if (!rec || deps.meta.tagsOf(id).length > 0 || rec.repoDigests.length > 0 || used.has(id)) return;
    if (deps.meta.all().some((i) => i.parent === id)) return;
    await deps.meta.update((db) => {
      delete db.images[id!];
    });
    out.push({ Deleted: id });
    deps.events.publish('image', 'delete', id, {});
    id = rec.parent;
  }
}

/** `docker images` without `-a`: untagged images that other images were built on are intermediate steps. */
export function withoutIntermediates<T extends { image: { id: string }; tags: string[] }>(meta: ImageMetaStore, items: T[]): T[] {
  const parents = parentsWithChildren(meta);
  return items.filter((i) => i.tags.length > 0 || !parents.has(i.image.id));
}
