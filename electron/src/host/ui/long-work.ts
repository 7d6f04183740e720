// Pulls and pushes started from the dashboard can take minutes; the user may have closed the window meanwhile. Their
// streams are wrapped so the host announces how each one ended (a `work` event), and the Electron shell turns that
// into a notification. A stream the UI closes itself (it went away) announces nothing.
import type { WorkDone } from '../../shared/contract.js';
import { toContractError } from './engine-errors.js';
import type { StreamHandlers, StreamOpener } from './handlers/types.js';

type LongWork = 'images.pull' | 'images.push';
const KIND: Record<LongWork, WorkDone['kind']> = { 'images.pull': 'pull', 'images.push': 'push' };

function announced<C extends LongWork>(ch: C, open: StreamOpener<C>, announce: (w: WorkDone) => void): StreamOpener<C> {
  return async (args, sink) => {
    const done = (error?: unknown) =>
      announce({ kind: KIND[ch], ref: args.ref, ok: !error, ...(error ? { message: toContractError(error).message } : {}) });
    try {
      return await open(args, { data: (v) => sink.data(v), end: (err) => { done(err); sink.end(err); } });
    } catch (err) {
      done(err);
      throw err;
    }
  };
}

export function announceLongWork(streams: StreamHandlers, announce: (w: WorkDone) => void): StreamHandlers {
  return {
    ...streams,
    'images.pull': announced('images.pull', streams['images.pull'], announce),
    'images.push': announced('images.push', streams['images.push'], announce),
  };
}
