/** `GET /images/json` filters: dangling, label, reference, before, since, until, as dockerd applies them. */
import { InvalidArgument } from '../base/errors.js';
import type { Filters } from '../base/filters.js';
import { parseTimestamp } from '../base/timestamp.js';
import { familiarName, parseReference } from '../registry/reference.js';
import type { ImageConfig } from './deps.js';
import { withoutIntermediates } from './children.js';
import { resolveImage } from './lookup.js';
import type { ImageMetaStore, ImageRecord } from './store.js';
import { familiar } from './views.js';

export const LIST_FILTERS = ['dangling', 'label', 'label!', 'reference', 'before', 'since', 'until'];

/** Go's path.Match for the reference filter: `*` and `?` never cross a `/`. */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  try {
    return new RegExp(`^${re}$`).test(value);
  } catch {
    return false;
  }
}

function referenceMatches(pattern: string, tags: string[]): boolean {
  return tags.some((t) => {
    const f = familiar(t);
    let name = f;
    try {
      name = familiarName(parseReference(t));
    } catch {
      // keep the familiar form
    }
    return globMatch(pattern, f) || globMatch(pattern, name);
  });
}

export function labelMatches(labels: Record<string, string>, wanted: string[]): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) return w in labels;
    return labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

export interface ListedImage {
  image: ImageRecord;
  tags: string[];
  config: ImageConfig;
}

export function filterImages(meta: ImageMetaStore, items: ListedImage[], filters: Filters, all = false): ListedImage[] {
  filters.validate(LIST_FILTERS);
  let out = all ? items : withoutIntermediates(meta, items);
  if (filters.has('dangling')) {
    const v = filters.get('dangling');
    if (v.some((x) => !['true', 'false', '1', '0'].includes(x))) {
      throw new InvalidArgument(`invalid filter 'dangling=${v[0]}'`);
    }
    const dangling = v.includes('true') || v.includes('1');
    out = out.filter((i) => (i.tags.length === 0) === dangling);
  }
  if (filters.has('label')) {
    const wanted = filters.get('label');
    out = out.filter((i) => labelMatches(i.config.config?.Labels ?? {}, wanted));
  }
  if (filters.has('label!')) {
    const unwanted = filters.get('label!');
    out = out.filter((i) => !unwanted.some((u) => labelMatches(i.config.config?.Labels ?? {}, [u])));
  }
  if (filters.has('reference')) {
    const patterns = filters.get('reference');
    out = out
      .filter((i) => patterns.some((p) => referenceMatches(p, i.tags)))
      .map((i) => ({ ...i, tags: i.tags.filter((t) => patterns.some((p) => referenceMatches(p, [t]))) }));
  }
  const created = (i: ImageRecord): number => Date.parse(i.created) || 0;
  for (const key of ['before', 'since'] as const) {
    if (!filters.has(key)) continue;
    const pivots = filters.get(key).map((v) => created(resolveImage(meta, v).image));
    out = out.filter((i) => pivots.every((t) => (key === 'before' ? created(i.image) < t : created(i.image) > t)));
  }
  if (filters.has('until')) {
    const limits = filters.get('until').map((v) => Number(parseTimestamp(v, 'until') / 1_000_000n));
    out = out.filter((i) => limits.every((ms) => created(i.image) < ms));
  }
  return out;
}
