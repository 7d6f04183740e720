// Folds dockerd's pull/push progress messages into per-layer bars. Messages with an id are about one layer
// ("Downloading", "Extracting", "Pull complete"); the others are about the whole image ("Digest: …").
import type { ProgressEvent } from '@berth/electron/shared/types.js';

export interface LayerProgress {
  id: string;
  status: string;
  current: number;
  total: number;
  done: boolean;
}

export interface PullProgress {
  ref: string;
  kind: 'pull' | 'push';
  layers: LayerProgress[];
  messages: string[];
  state: 'running' | 'done' | 'error';
  error?: string;
}

const DONE = /^(Pull complete|Already exists|Download complete|Pushed|Layer already exists|Mounted from)/;

export function newProgress(ref: string, kind: 'pull' | 'push' = 'pull'): PullProgress {
  return { ref, kind, layers: [], messages: [], state: 'running' };
}

export function applyProgress(p: PullProgress, ev: ProgressEvent): PullProgress {
  if (ev.error) return { ...p, state: 'error', error: ev.error };
  const status = ev.status ?? '';
  // A message whose id is the tag ("latest: Pulling from …") is about the image, not a layer.
  const isLayer = ev.id !== undefined && /^[0-9a-f]{12,64}$/.test(ev.id);
  if (!isLayer) return { ...p, messages: status ? [...p.messages, ev.id ? `${ev.id}: ${status}` : status] : p.messages };
  const layers = p.layers.slice();
  let i = layers.findIndex((l) => l.id === ev.id);
  if (i < 0) {
    layers.push({ id: ev.id!, status, current: 0, total: 0, done: false });
    i = layers.length - 1;
  }
  const prev = layers[i]!;
  const done = DONE.test(status) && !/^Download complete/.test(status) ? true : prev.done;
  layers[i] = {
    ...prev,
    status,
    current: ev.current ?? (DONE.test(status) ? prev.total : prev.current),
    total: ev.total ?? prev.total,
    done,
  };
  return { ...p, layers };
}

/** 0..1 over all layers; layers of unknown size count as half done while in flight. */
export function overall(p: PullProgress): number {
  if (p.state === 'done') return 1;
  if (!p.layers.length) return 0;
  let sum = 0;
  for (const l of p.layers) sum += l.done ? 1 : l.total > 0 ? Math.min(1, l.current / l.total) * 0.9 : 0;
  return sum / p.layers.length;
}
