import type { Filters } from '../base/filters.js';
import { ANONYMOUS_LABEL, type VolumeRecord } from './types.js';

export const LIST_FILTERS = ['dangling', 'driver', 'label', 'name'] as const;
export const PRUNE_FILTERS = ['label', 'label!', 'all'] as const;

function labelNotMatch(filters: Filters, labels: Record<string, string>): boolean {
  for (const term of filters.get('label!')) {
    const eq = term.indexOf('=');
    if (eq < 0 ? term in labels : labels[term.slice(0, eq)] === term.slice(eq + 1)) return false;
  }
  return true;
}

/** `GET /volumes` filters; `inUse` tells whether any container references the volume. */
export function volumeMatcher(filters: Filters, inUse: (name: string) => boolean): (v: VolumeRecord) => boolean {
  filters.validate(LIST_FILTERS);
  const dangling = filters.boolValue('dangling');
  return (v) =>
    filters.regexMatch('name', v.Name) &&
    filters.exactMatch('driver', v.Driver) &&
    filters.matchKVList('label', v.Labels) &&
    (dangling === undefined || dangling === !inUse(v.Name));
}

/**
 * `POST /volumes/prune`: unused volumes; only anonymous ones unless `all=true` (API 1.42+ semantics; older
 * clients get every unused volume, as dockerd gives them).
 */
export function pruneMatcher(filters: Filters, inUse: (name: string) => boolean, apiVersion: number): (v: VolumeRecord) => boolean {
  filters.validate(PRUNE_FILTERS);
  const all = apiVersion < 1.42 || filters.boolValue('all') === true;
  return (v) => {
    if (inUse(v.Name)) return false;
    const labels = v.Labels ?? {};
    if (!all && !(ANONYMOUS_LABEL in labels)) return false;
    return filters.matchKVList('label', labels) && labelNotMatch(filters, labels);
  };
}
