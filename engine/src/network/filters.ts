import { InvalidArgument } from '../base/errors.js';
import type { Filters } from '../base/filters.js';
import { parseTimestamp } from '../base/timestamp.js';
import type { NetworkRecord } from './types.js';

export const LIST_FILTERS = ['dangling', 'driver', 'id', 'label', 'label!', 'name', 'scope', 'type'] as const;
export const PRUNE_FILTERS = ['until', 'label', 'label!'] as const;

function labelNotMatch(filters: Filters, labels: Record<string, string>): boolean {
  for (const term of filters.get('label!')) {
    const eq = term.indexOf('=');
    if (eq < 0 ? term in labels : labels[term.slice(0, eq)] === term.slice(eq + 1)) return false;
  }
  return true;
}

/** dockerd's `GET /networks` filters: name and id as patterns, type custom|builtin, dangling = no containers. */
export function networkMatcher(filters: Filters): (n: NetworkRecord) => boolean {
  filters.validate(LIST_FILTERS);
  for (const t of filters.get('type')) {
    if (t !== 'custom' && t !== 'builtin') throw new InvalidArgument(`invalid filter: 'type'='${t}'`);
  }
  const dangling = filters.boolValue('dangling');
  return (n) => {
    if (!filters.exactMatch('driver', n.driver)) return false;
    if (!filters.regexMatch('name', n.name)) return false;
    if (!filters.regexMatch('id', n.id)) return false;
    if (!filters.exactMatch('scope', 'local')) return false;
    if (!filters.matchKVList('label', n.labels) || !labelNotMatch(filters, n.labels)) return false;
    if (!filters.exactMatch('type', n.predefined ? 'builtin' : 'custom')) return false;
    if (dangling !== undefined) {
      const isDangling = !n.predefined && Object.keys(n.endpoints).length === 0;
      if (isDangling !== dangling) return false;
    }
    return true;
  };
}

/** `POST /networks/prune`: custom networks without endpoints, older than `until`, matching the labels. */
export function pruneMatcher(filters: Filters): (n: NetworkRecord) => boolean {
  filters.validate(PRUNE_FILTERS);
  const untilValues = filters.get('until');
  const until = untilValues.length > 0 ? parseTimestamp(untilValues[0] as string, 'until') : undefined;
  return (n) => {
    if (n.predefined || Object.keys(n.endpoints).length > 0) return false;
    if (until !== undefined && BigInt(Date.parse(n.created)) * 1_000_000n >= until) return false;
    return filters.matchKVList('label', n.labels) && labelNotMatch(filters, n.labels);
  };
}
