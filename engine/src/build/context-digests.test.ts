// The digests a received context records: a hit only for the file as written, and a COPY cache key that is the same
// with them as without them.
import { lstat, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContextDigests } from './context-digests.js';
import { sourceChecksum } from './sources.js';

const sha = (t: string): string => createHash('sha256').update(t).digest('hex');
const T = 1_600_000_000_000;

describe('ContextDigests', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-ctx-digests-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function written(rel: string, text: string, digests: ContextDigests): Promise<string> {
    const abs = path.join(dir, rel);
    await writeFile(abs, text);
    await utimes(abs, T / 1000, T / 1000);
    digests.record(abs, sha(text), Buffer.byteLength(text), T);
    return abs;
  }

  it('answers for a file as it was written; a write since (new size, or new time) makes it miss', async () => {
    const d = new ContextDigests();
    const a = await written('a', 'one', d);
    expect(d.lookup(a, await lstat(a))).toBe(sha('one'));
    await writeFile(a, 'four');
    await utimes(a, T / 1000, T / 1000);
    expect(d.lookup(a, await lstat(a))).toBeUndefined();
    const b = await written('b', 'two', d);
    await writeFile(b, 'TWO');
    expect(d.lookup(b, await lstat(b))).toBeUndefined();
    expect(d.lookup(path.join(dir, 'never'), await lstat(b))).toBeUndefined();
  });

  it('a COPY cache key is the same with the digests as from reading the files, and a stale digest is not used', async () => {
    await mkdir(path.join(dir, 'src'));
    const d = new ContextDigests();
    await written('src/x', 'x-content', d);
    const y = await written('src/y', 'y-content', d);
    const root = { dir, scoped: false };
    const source = { rel: 'src', abs: path.join(dir, 'src'), dir: true };
    const plain = await sourceChecksum(root, source);
    expect(await sourceChecksum({ ...root, digests: d }, source)).toBe(plain);
    // A wrong digest on record (as if the file had been changed behind it) is ignored once the file's time moved.
    d.record(y, sha('stale'), Buffer.byteLength('y-content'), T);
    await utimes(y, T / 1000 + 5, T / 1000 + 5);
    expect(await sourceChecksum({ ...root, digests: d }, source)).toBe(await sourceChecksum(root, source));
  });
});
