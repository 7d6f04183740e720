/**
 * `POST /images/prune`: dangling images by default, every image no container uses with `dangling=false`;
 * `until` and `label` narrow it. The answer lists what was untagged and deleted and the unpacked bytes freed.
 */
import type { Filters } from '../base/filters.js';
import { parseTimestamp } from '../base/timestamp.js';
import type { ImageDeps } from './deps.js';
import { keptAncestors } from './children.js';
import { collectGarbage } from './gc.js';
import { labelMatches, type ListedImage } from './list.js';
import { removeImage, type DeleteItem } from './remove.js';

export interface PruneResult {
  ImagesDeleted: DeleteItem[] | null;
  SpaceReclaimed: number;
}

export async function pruneImages(deps: ImageDeps, source: { listed(): Promise<ListedImage[]> }, filters: Filters): Promise<PruneResult> {
  filters.validate(['dangling', 'until', 'label', 'label!']);
  const danglingOnly = !filters.get('dangling').some((v) => v === 'false' || v === '0');
  const used = new Set(deps.users().map((u) => u.imageId));
  let candidates = (await source.listed()).filter((i) => !used.has(i.image.id));
  if (danglingOnly) candidates = candidates.filter((i) => i.tags.length === 0);
  const kept = danglingOnly ? keptAncestors(deps) : new Set<string>();
  candidates = candidates.filter((i) => !kept.has(i.image.id));
  if (filters.has('until')) {
    const limits = filters.get('until').map((v) => Number(parseTimestamp(v, 'until') / 1_000_000n));
    candidates = candidates.filter((i) => limits.every((ms) => (Date.parse(i.image.created) || 0) < ms));
  }
  if (filters.has('label')) candidates = candidates.filter((i) => labelMatches(i.config.config?.Labels ?? {}, filters.get('label')));
  if (filters.has('label!')) {
    candidates = candidates.filter((i) => !filters.get('label!').some((l) => labelMatches(i.config.config?.Labels ?? {}, [l])));
  }
  // Partial downloads no pull is writing any more (a pull that failed, or one whose client gave up, keeps its
  // bytes for a resume) go first: on a full disk they may be what frees the room the image table's rewrite needs.
  const partial = await deps.content.sweepIdleIngests();
  const deleted: DeleteItem[] = [];
  for (const c of candidates) {
    deleted.push(...(await removeImage(deps, c.image.id, { force: true, noprune: true })));
  }
  const gc = await collectGarbage(deps, deps.leases);
  for (const s of gc.snapshots) deleted.push({ Deleted: s });
  return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: gc.reclaimed + partial };
}
