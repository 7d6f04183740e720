import { describe, expect, it } from 'vitest';
import { applyProgress, newProgress, overall } from './pull-progress.js';

describe('pull progress', () => {
  it('folds dockerd pull messages into per-layer bars', () => {
    const events = [
      { id: 'latest', status: 'Pulling from berth-test/busybox' },
      { id: 'a1b2c3d4e5f6', status: 'Pulling fs layer' },
      { id: 'a1b2c3d4e5f6', status: 'Downloading', progress: '[=>   ]', current: 500, total: 1000 },
      { id: 'a1b2c3d4e5f6', status: 'Download complete' },
      { id: 'a1b2c3d4e5f6', status: 'Extracting', current: 1000, total: 1000 },
      { id: 'a1b2c3d4e5f6', status: 'Pull complete' },
      { status: 'Digest: sha256:abc' },
    ];
    const seen: number[] = [];
    let p = newProgress('busybox');
    for (const e of events) { p = applyProgress(p, e); seen.push(overall(p)); }
    expect(p.layers).toEqual([{ id: 'a1b2c3d4e5f6', status: 'Pull complete', current: 1000, total: 1000, done: true }]);
    expect(p.messages).toEqual(['latest: Pulling from berth-test/busybox', 'Digest: sha256:abc']);
    expect(seen[2]).toBeCloseTo(0.45);
    expect(seen[5]).toBe(1);
  });

  it('turns an in-band error into a failed pull', () => {
    const p = applyProgress(newProgress('nope'), { error: 'manifest unknown' });
    expect(p).toMatchObject({ state: 'error', error: 'manifest unknown' });
  });
});
