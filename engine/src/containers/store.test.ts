import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContainerStore } from './store.js';
import type { ContainerRecord } from './types.js';

/** Just the fields the store itself reads. */
function record(id: string, name: string): ContainerRecord {
  return { Id: id, Name: name, State: { Status: 'running' } } as unknown as ContainerRecord;
}

describe('ContainerStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'berth-ctr-store-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function reloaded(): Promise<string[]> {
    const fresh = new ContainerStore(root);
    const ids = (await fresh.load()).map((r) => r.Id);
    await fresh.settled();
    return ids;
  }

  it('a save that comes after the removal (exit handling late behind rm -f) does not bring the container back', async () => {
    const store = new ContainerStore(root);
    await store.load();
    const c = record('a'.repeat(64), '/late');
    await store.save(c);
    await store.delete(c);
    await store.save({ ...c, State: { ...c.State, Status: 'exited' } });
    expect(store.find(c.Id)).toBeUndefined();
    expect(store.all()).toEqual([]);
    await store.settled();
    expect(await reloaded()).toEqual([]);
  });

  it('a save in flight while the container is removed leaves it removed, in memory and on disk', async () => {
    const store = new ContainerStore(root);
    await store.load();
    for (let i = 0; i < 20; i++) {
      const c = record(`${i.toString(16).padStart(2, '0')}${'b'.repeat(62)}`, `/racing-${i}`);
      await store.save(c);
      // The save and the removal run side by side, the save started first or second.
      const pending = i % 2 === 0 ? [store.save(c), store.delete(c)] : [store.delete(c), store.save(c)];
      await Promise.all(pending);
      expect(store.find(c.Id)).toBeUndefined();
    }
    await store.settled();
    expect(await reloaded()).toEqual([]);
    expect((await readdir(root)).filter((n) => !n.startsWith('.'))).toEqual(expect.not.arrayContaining([expect.stringMatching(/^[0-9a-f]{64}$/)]));
  });

  it('writes saves of one container in the order they were made: the last one wins in memory and on disk', async () => {
    const store = new ContainerStore(root);
    await store.load();
    for (let i = 0; i < 10; i++) {
      const id = `${i.toString(16).padStart(2, '0')}${'c'.repeat(62)}`;
      const running = { ...record(id, `/ordered-${i}`), Padding: 'x'.repeat(1 << 20) } as ContainerRecord;
      const exited = { ...record(id, `/ordered-${i}`), State: { Status: 'exited' } } as unknown as ContainerRecord;
      // As start's durable write (fsync, a big record) and the exit handling's save right behind it.
      await Promise.all([store.persist(running), store.save(exited, { durable: false })]);
      expect(store.find(id)?.State.Status).toBe('exited');
      expect(JSON.parse(await readFile(path.join(root, id, 'config.v2.json'), 'utf8')).State.Status).toBe('exited');
    }
  });

  it('keeps saving containers that were not removed', async () => {
    const store = new ContainerStore(root);
    await store.load();
    const kept = record('c'.repeat(64), '/kept');
    const gone = record('d'.repeat(64), '/gone');
    await store.save(kept);
    await store.save(gone);
    await store.delete(gone);
    await store.save({ ...kept, State: { ...kept.State, Status: 'exited' } });
    expect(store.find(kept.Id)?.State.Status).toBe('exited');
    await store.settled();
    expect(await reloaded()).toEqual([kept.Id]);
  });
});
