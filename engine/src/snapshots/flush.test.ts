import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlushGroup, syncFileSystem } from './flush.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flush-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/**
 * The real `sync -f`, with a record of when each run started and ended. The first run waits for `release()` before
 * it flushes, so a test decides what arrives while it runs (a fast flush could otherwise end before the test's
 * next call).
 */
function recorded(): { sync: (p: string) => Promise<void>; runs: { started: number; ended?: number }[]; release: () => void } {
  const runs: { started: number; ended?: number }[] = [];
  let clock = 0;
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  return {
    runs,
    release: () => release(),
    sync: async (p) => {
      const r: { started: number; ended?: number } = { started: clock++ };
      runs.push(r);
      if (runs.length === 1) await gate;
      await syncFileSystem(p);
      r.ended = clock++;
    },
  };
}

describe('FlushGroup', () => {
  it('shares one syncfs between callers that arrive while another runs', async () => {
    const rec = recorded();
    const g = new FlushGroup(dir, rec.sync);
    const first = g.flush();
    await writeFile(join(dir, 'a'), 'a');
    const later = [g.flush(), g.flush(), g.flush()];
    rec.release();
    await Promise.all([first, ...later]);
    expect(rec.runs).toHaveLength(2);
    // The callers that came during the first run got a flush that started after it: their writes are covered.
    expect(rec.runs[1]!.started).toBeGreaterThan(rec.runs[0]!.ended!);
  });

  it('starts at once when nothing runs, and reports a failed flush to its callers', async () => {
    const g = new FlushGroup(join(dir, 'absent'));
    await expect(g.flush()).rejects.toThrow();
    const ok = new FlushGroup(dir);
    await expect(ok.flush()).resolves.toBeUndefined();
  });
});
