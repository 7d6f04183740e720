import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SnapshotStore } from './store.js';

const CHAIN = `sha256:${'ab'.repeat(32)}`;
let work: string;
let store: SnapshotStore;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'adopt-'));
  store = new SnapshotStore(join(work, 'snapshots'));
  await store.init();
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

function xattrs(p: string): string {
  return execFileSync('getfattr', ['-h', '-d', '-m', '-', '--absolute-names', p], { encoding: 'utf8' });
}

it('moves an upper dir in as a committed snapshot, minus the dropped paths and overlay-private xattrs', async () => {
  const upper = join(work, 'upper');
  await mkdir(join(upper, 'etc'), { recursive: true });
  await mkdir(join(upper, 'srv'));
  await writeFile(join(upper, 'etc', 'hosts'), '');
  await writeFile(join(upper, 'srv', 'made.txt'), 'made\n');
  execFileSync('setfattr', ['-n', 'trusted.overlay.impure', '-v', 'y', join(upper, 'srv')]);
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', join(upper, 'etc')]);
  execFileSync('setfattr', ['-n', 'trusted.overlay.uuid', '-v', 'x', upper]);

  const prepared = await store.adopt(upper, { drop: ['etc/hosts'], strip: new Map([['srv', ['trusted.overlay.impure']]]) });
  await prepared.commit({ chainId: CHAIN, diffId: CHAIN, size: 5 });

  const fs = store.fsPath(CHAIN);
  expect((await readdir(fs)).sort()).toEqual(['etc', 'srv']);
  expect(await readdir(join(fs, 'etc'))).toEqual([]);
  expect(await readFile(join(fs, 'srv', 'made.txt'), 'utf8')).toBe('made\n');
  expect(xattrs(join(fs, 'srv'))).not.toContain('trusted.overlay');
  expect(xattrs(join(fs, 'etc'))).toContain('trusted.overlay.opaque="y"');
  expect(xattrs(fs)).not.toContain('trusted.overlay');
  expect(await readdir(upper)).toEqual([]);
  expect((await store.meta(CHAIN))?.size).toBe(5);
});

it('leaves no snapshot behind when aborted', async () => {
  const upper = join(work, 'upper');
  await mkdir(upper);
  await writeFile(join(upper, 'f'), 'x');
  const prepared = await store.adopt(upper);
  await prepared.abort();
  expect(await store.has(CHAIN)).toBe(false);
  expect(await readdir(join(work, 'snapshots', '.ingest'))).toEqual([]);
});
