/**
 * The classic builder's cache as `/system/df` and `docker builder prune` see it: the untagged images build steps
 * committed. Pruning deletes the ones no container uses and reports the bytes the layer store got back.
 */
import type { Filters } from '../base/filters.js';
import { parseTimestamp } from '../base/timestamp.js';
import type { ImageService } from '../images/service.js';
import type { ImageRecord } from '../images/store.js';

export interface BuildCacheRecord {
  ID: string;
  Parent: string;
  Parents: string[];
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt: string | null;
  UsageCount: number;
}

export interface BuildPruneResult {
  CachesDeleted: string[] | null;
  SpaceReclaimed: number;
}

async function cacheImages(images: ImageService): Promise<Array<{ rec: ImageRecord; description: string }>> {
  const out: Array<{ rec: ImageRecord; description: string }> = [];
  for (const rec of images.deps.meta.all()) {
    if (images.deps.meta.tagsOf(rec.id).length > 0 || rec.repoDigests.length > 0) continue;
    const config = await images.config(rec.id).catch(() => undefined);
    if (!config?.container_config) continue;
    const last = config.history?.[config.history.length - 1];
    out.push({ rec, description: last?.created_by ?? '' });
  }
  return out;
}

function hex(id: string): string {
  return id.replace(/^sha256:/, '');
}

export async function buildCacheRecords(images: ImageService): Promise<BuildCacheRecord[]> {
  const used = new Set(images.deps.users().map((u) => u.imageId));
  const parents = new Map<string, number>();
  for (const r of images.deps.meta.all()) if (r.parent) parents.set(r.parent, (parents.get(r.parent) ?? 0) + 1);
  return (await cacheImages(images)).map(({ rec, description }) => {
    const own = rec.parent ? rec.layerSizes.length - (images.deps.meta.get(rec.parent)?.layerSizes.length ?? 0) : rec.layerSizes.length;
    return {
      ID: hex(rec.id),
      Parent: rec.parent ? hex(rec.parent) : '',
      Parents: rec.parent ? [hex(rec.parent)] : [],
      Type: 'regular',
      Description: description,
      InUse: used.has(rec.id),
      Shared: (parents.get(rec.id) ?? 0) > 0,
      Size: own > 0 ? rec.layerSizes.slice(-own).reduce((a, b) => a + b, 0) : 0,
      CreatedAt: rec.created,
      LastUsedAt: null,
      UsageCount: 0,
    };
  });
}

export async function pruneBuildCache(images: ImageService, filters: Filters): Promise<BuildPruneResult> {
  filters.validate(['until', 'id', 'parent', 'type', 'description', 'inuse', 'shared', 'private']);
  const limits = filters.get('until').map((v) => Number(parseTimestamp(v, 'until') / 1_000_000n));
  const used = new Set(images.deps.users().map((u) => u.imageId));
  const before = (await images.deps.snapshots.list()).reduce((a, s) => a + s.size, 0);
  const deleted: string[] = [];
  for (const { rec } of await cacheImages(images)) {
    if (used.has(rec.id)) continue;
    if (!limits.every((ms) => (Date.parse(rec.created) || 0) < ms)) continue;
    await images.remove(rec.id, { force: false, noprune: true }).catch(() => undefined);
    if (!images.deps.meta.get(rec.id)) deleted.push(hex(rec.id));
  }
  await images.gc();
  const after = (await images.deps.snapshots.list()).reduce((a, s) => a + s.size, 0);
  return { CachesDeleted: deleted.length ? deleted : null, SpaceReclaimed: Math.max(0, before - after) };
}
