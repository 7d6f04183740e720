// A list that loads through one contract channel and refetches (debounced) when the host says that kind of
// thing changed in the engine: the UI never polls.
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

export const REFETCH_DEBOUNCE_MS = 150;

export function createListStore<C extends ListChannel>(
  channel: C,
  resources: Resource[],
): UseBoundStore<StoreApi<ListState<ResultOf<C>[number]>>> & { start(): () => void } {
  type T = ResultOf<C>[number];
  let inflight: Promise<void> | undefined;
  let again = false;
  const store = create<ListState<T>>((set) => ({
    items: [],
    loading: true,
    refresh: async () => {
      // One fetch at a time; a change during a fetch causes exactly one more.
      if (inflight) { again = true; return inflight; }
      inflight = (async () => {
        do {
          again = false;
          try {
            const items = (await (berth().invoke as (c: string) => Promise<T[]>)(channel));
            set({ items, loading: false, error: undefined });
          } catch (err) {
            const e = err as ContractError;
            set({ loading: false, error: { code: e.code ?? 'internal', message: e.message, ...(e.hint ? { hint: e.hint } : {}) } });
          }
        } while (again);
      })().finally(() => { inflight = undefined; });
      return inflight;
    },
  }));

  let timer: ReturnType<typeof setTimeout> | undefined;
  let started = 0;
  let stop: (() => void) | undefined;
  /** Called by the views that show the list; the first one subscribes, the last one unsubscribes. */
  const start = () => {
    if (started++ === 0) {
      const offChanged = berth().on('changed', (ev) => {
        if (!resources.includes(ev.resource)) return;
        clearTimeout(timer);
        timer = setTimeout(() => void store.getState().refresh(), REFETCH_DEBOUNCE_MS);
      });
      const offConn = berth().onConnection((up) => { if (up) void store.getState().refresh(); });
      stop = () => { offChanged(); offConn(); clearTimeout(timer); };
    }
    void store.getState().refresh();
    return () => { if (--started === 0) stop?.(); };
  };
  return Object.assign(store, { start });
}
