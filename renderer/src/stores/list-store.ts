// A list that loads through one contract channel and keeps itself current from the host's "changed" events: the
// UI never polls. A store may name a rows channel: then an event about one item fetches just that item and patches
// it in place (the other rows keep their identity, so memoised rows do not re-render); anything else refetches
// the whole list. Fetches run one at a time, each started after the events it answers, so a late answer never
// overwrites a newer one.
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { RequestChannel, ResultOf } from '@berth/electron/shared/contract.js';
import type { ContractError } from '@berth/electron/shared/errors.js';
import type { Resource } from '@berth/electron/shared/types.js';
import { berth } from '../api/berth.js';

export interface ListState<T> {
  items: T[];
  /** True until the first answer. */
  loading: boolean;
  error?: ContractError;
  refresh(): Promise<void>;
}

type ListChannel = { [C in RequestChannel]: ResultOf<C> extends unknown[] ? C : never }[RequestChannel];

/** How long a burst of events is gathered into one fetch (`docker run` sends create, connect and start together). */
export const REFETCH_DEBOUNCE_MS = 16;

export interface RowPatching<T> {
  /** Events about this kind, carrying an id, patch single rows. */
  resource: Resource;
  /** Answers `{ ids }` with the rows that still exist. */
  channel: RequestChannel;
  key(item: T): string;
}

/** Replaces, adds (newest first) or drops the rows named in `ids`, keeping every other row object as it was. */
export function patchRows<T>(items: T[], ids: Set<string>, fresh: T[], key: (t: T) => string): T[] {
  const byId = new Map(fresh.filter((r) => ids.has(key(r))).map((r) => [key(r), r]));
  const kept = items.flatMap((r) => {
    const k = key(r);
    if (!ids.has(k)) return [r];
    const next = byId.get(k);
    byId.delete(k);
    return next ? [next] : [];
  });
  return [...byId.values(), ...kept];
}

export function createListStore<C extends ListChannel>(
  channel: C,
  resources: Resource[],
  patching?: RowPatching<ResultOf<C>[number]>,
): UseBoundStore<StoreApi<ListState<ResultOf<C>[number]>>> & { start(): () => void } {
  type T = ResultOf<C>[number];
  const call = (ch: string, args?: unknown) => (berth().invoke as (c: string, a?: unknown) => Promise<T[]>)(ch, ...(args === undefined ? [] : [args]));
  // What the next fetch must cover: everything, or just these rows.
  let wantAll = false;
  const wantIds = new Set<string>();
  let inflight: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const store = create<ListState<T>>(() => ({ items: [], loading: true, refresh: () => { wantAll = true; return kick(); } }));

  async function drain(): Promise<void> {
    while (wantAll || wantIds.size) {
      const all = wantAll || store.getState().loading || !patching;
      const ids = new Set(wantIds);
      wantAll = false;
      wantIds.clear();
      try {
        if (all) {
          store.setState({ items: await call(channel), loading: false, error: undefined });
        } else {
          const fresh = await call(patching.channel, { ids: [...ids] });
          store.setState({ items: patchRows(store.getState().items, ids, fresh, patching.key), error: undefined });
        }
      } catch (err) {
        const e = err as ContractError;
        store.setState({ loading: false, error: { code: e.code ?? 'internal', message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
      }
    }
  }
  /** Starts a drain unless one runs; a running one picks up whatever was wanted meanwhile. */
  function kick(): Promise<void> {
    // A want that lands between the loop's last check and this finally must not be stranded.
    inflight ??= drain().finally(() => { inflight = undefined; if (wantAll || wantIds.size) schedule(); });
    return inflight;
  }
  const schedule = () => {
    if (inflight || timer) return;
    timer = setTimeout(() => { timer = undefined; void kick(); }, REFETCH_DEBOUNCE_MS);
  };

  let started = 0;
  let stop: (() => void) | undefined;
  /** Called by the views that show the list; the first one subscribes, the last one unsubscribes. */
  const start = () => {
    if (started++ === 0) {
      const offChanged = berth().on('changed', (ev) => {
        if (!resources.includes(ev.resource)) return;
        if (patching && ev.resource === patching.resource && ev.id) wantIds.add(ev.id);
        else wantAll = true;
        schedule();
      });
      const offConn = berth().onConnection((up) => { if (up) void store.getState().refresh(); });
      stop = () => { offChanged(); offConn(); clearTimeout(timer); timer = undefined; };
    }
    void store.getState().refresh();
    return () => { if (--started === 0) stop?.(); };
  };
  return Object.assign(store, { start });
}
