import type { Filters } from '../base/filters.js';
import type { EngineEvent, EventType } from './events.js';

export const EVENT_FILTER_KEYS = [
  'config',
  'container',
  'daemon',
  'event',
  'image',
  'label',
  'network',
  'node',
  'plugin',
  'scope',
  'secret',
  'service',
  'type',
  'volume',
] as const;

// dockerd matches these event filters by prefix, because their actions carry a suffix (`exec_start: sh -c …`).
const PREFIX_ACTIONS = ['health_status', 'exec_create', 'exec_start'];

/** An object of the given type matches by ID prefix or by its `name` attribute. */
function matchName(filters: Filters, key: EventType, event: EngineEvent): boolean {
  if (!filters.has(key)) return true;
  if (event.Type !== key) return false;
  return filters.fuzzyMatch(key, event.Actor.ID) || filters.fuzzyMatch(key, event.Actor.Attributes.name ?? '');
}

/** `repo:tag` → `repo` (a registry port is not a tag); digests are left alone. */
function stripTag(ref: string): string {
  if (ref.includes('@')) return ref;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
}

function matchImage(filters: Filters, event: EngineEvent): boolean {
  if (!filters.has('image')) return true;
  const name = event.Actor.Attributes[event.Type === 'image' ? 'name' : 'image'] ?? '';
  const id = event.Actor.ID;
  return [id, name, stripTag(id), stripTag(name)].some((c) => c !== '' && filters.exactMatch('image', c));
}

function matchEvent(filters: Filters, event: EngineEvent): boolean {
  if (!filters.has('event')) return true;
  const values = filters.get('event');
  if (values.some((v) => PREFIX_ACTIONS.includes(v))) return filters.fuzzyMatch('event', event.Action);
  return filters.exactMatch('event', event.Action);
}

/** dockerd's event filter semantics: every key that is present must match. */
export function eventFilter(filters: Filters): (event: EngineEvent) => boolean {
  return (event) =>
    matchEvent(filters, event) &&
    filters.exactMatch('type', event.Type) &&
    filters.exactMatch('scope', event.scope) &&
    matchName(filters, 'daemon', event) &&
    matchName(filters, 'container', event) &&
    matchName(filters, 'plugin', event) &&
    matchName(filters, 'volume', event) &&
    matchName(filters, 'network', event) &&
    matchName(filters, 'node', event) &&
    matchName(filters, 'service', event) &&
    matchName(filters, 'secret', event) &&
    matchName(filters, 'config', event) &&
    matchImage(filters, event) &&
    filters.matchKVList('label', event.Actor.Attributes);
}
