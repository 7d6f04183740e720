import { describe, expect, it } from 'vitest';
import type { WorkDone } from '../../shared/contract.js';
import type { ProgressEvent } from '../../shared/types.js';
import type { StreamHandlers, StreamSink } from './handlers/types.js';
import { announceLongWork } from './long-work.js';

/** Openers that end the way the test says: normally, with an engine error, or by throwing before streaming. */
function streams(how: 'ok' | 'error' | 'throw', sinks: StreamSink<ProgressEvent>[] = []): StreamHandlers {
  const open = async (_args: { ref: string }, sink: StreamSink<ProgressEvent>) => {
    if (how === 'throw') throw { statusCode: 400, json: { message: 'invalid reference format' } };
    sinks.push(sink);
    queueMicrotask(() => {
      sink.data({ status: 'Pulling fs layer', id: 'abc' });
      sink.end(how === 'error' ? { code: 'internal', message: 'manifest unknown' } : undefined);
    });
    return { close: () => undefined };
  };
  return { 'images.pull': open, 'images.push': open } as unknown as StreamHandlers;
}

async function run(how: 'ok' | 'error' | 'throw', ch: 'images.pull' | 'images.push') {
  const announced: WorkDone[] = [];
  const seen: { data: ProgressEvent[]; ended?: unknown } = { data: [] };
  const wrapped = announceLongWork(streams(how), (w) => announced.push(w));
  const opened = wrapped[ch]({ ref: 'registry.local/app:1' }, { data: (d) => seen.data.push(d), end: (e) => { seen.ended = e ?? 'ok'; } });
  if (how === 'throw') await expect(opened).rejects.toBeTruthy();
  else await opened;
  await new Promise((r) => setTimeout(r, 0));
  return { announced, seen };
}

describe('announceLongWork', () => {
  it('passes the progress through and announces a finished pull', async () => {
    const { announced, seen } = await run('ok', 'images.pull');
    expect(seen.data).toEqual([{ status: 'Pulling fs layer', id: 'abc' }]);
    expect(seen.ended).toBe('ok');
    expect(announced).toEqual([{ kind: 'pull', ref: 'registry.local/app:1', ok: true }]);
  });

  it('announces a push that failed with the engine message', async () => {
    const { announced } = await run('error', 'images.push');
    expect(announced).toEqual([{ kind: 'push', ref: 'registry.local/app:1', ok: false, message: 'manifest unknown' }]);
  });

  it('announces work the engine refused before it started', async () => {
    const { announced } = await run('throw', 'images.pull');
    expect(announced).toEqual([{ kind: 'pull', ref: 'registry.local/app:1', ok: false, message: 'invalid reference format' }]);
  });
});
