import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SnapshotStore } from './store.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'snapstore-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The ext2/3/4 attribute letters of a directory (`lsattr -d`), or undefined where the file system has none. */
function attrs(dir: string): string | undefined {
  try {
    return execFileSync('lsattr', ['-d', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(' ')[0];
  } catch {
    return undefined;
  }
}

it('prepares snapshots under a directory ext4 treats as a top of hierarchies (each layer in a block group of its own)', async (t) => {
  const store = new SnapshotStore(join(work, 'snapshots'));
  await store.init();
  const ingest = join(work, 'snapshots', '.ingest');
  if (attrs(ingest) === undefined) {
    t.skip(`${tmpdir()} has no ext2/3/4 attributes here (lsattr fails), so there is no Orlov allocator to steer`);
    return;
  }
  const prepared = await store.prepare();
  expect(prepared.fs.startsWith(`${ingest}/`)).toBe(true);
  expect(attrs(ingest)).toContain('T');
  await prepared.abort();
});
