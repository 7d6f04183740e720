import { create } from 'zustand';
import { berth } from '../api/berth.js';
import { applyProgress, newProgress, type PullProgress } from './pull-progress.js';
import { toastError, toastSuccess } from './toasts.js';

interface PullsState {
  pulls: PullProgress[];
  pull(ref: string): void;
  push(ref: string): void;
  clear(ref: string): void;
}

export const usePulls = create<PullsState>((set) => {
  const update = (ref: string, f: (p: PullProgress) => PullProgress) =>
    set((s) => ({ pulls: s.pulls.map((p) => (p.ref === ref ? f(p) : p)) }));

  const run = (ref: string, kind: 'pull' | 'push') => {
    set((s) => ({ pulls: [newProgress(ref, kind), ...s.pulls.filter((p) => p.ref !== ref)] }));
    berth().stream(kind === 'pull' ? 'images.pull' : 'images.push', { ref }, {
      onData: (ev) => update(ref, (p) => applyProgress(p, ev)),
      onEnd: (err) => {
        if (err) {
          update(ref, (p) => ({ ...p, state: 'error', error: err.message }));
          toastError(`${kind === 'pull' ? 'Pull' : 'Push'} of ${ref} failed`, err);
        } else {
          update(ref, (p) => (p.state === 'error' ? p : { ...p, state: 'done', layers: p.layers.map((l) => ({ ...l, done: true })) }));
          toastSuccess(`${kind === 'pull' ? 'Pulled' : 'Pushed'} ${ref}`);
        }
      },
    });
  };

  return {
    pulls: [],
    pull: (ref) => run(ref, 'pull'),
    push: (ref) => run(ref, 'push'),
    clear: (ref) => set((s) => ({ pulls: s.pulls.filter((p) => p.ref !== ref) })),
  };
});
