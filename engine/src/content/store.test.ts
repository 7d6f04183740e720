import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainIds, digestOf } from './digest.js';
import { ContentStore } from './store.js';

let root: string;
let store: ContentStore;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'content-'));
  store = new ContentStore(root);
  await store.init();
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('ContentStore', () => {
  it('commits a blob only when digest and size match', async () => {
    const data = Buffer.from('hello world');
    const digest = digestOf(data);
    await expect(store.put(Buffer.from('tampered!!!'), digest)).rejects.toThrow(/digest mismatch/);
    expect(await store.has(digest)).toBe(false);
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
    await store.put(data);
    expect((await store.read(digest)).toString()).toBe('hello world');
  });

  it('stores a blob written by several writers at once (one image pulled for several services)', async () => {
    const data = Buffer.alloc(256 * 1024, 'x');
    const digest = digestOf(data);
    expect(await Promise.all([store.put(data), store.put(data), store.put(data)])).toEqual([digest, digest, digest]);
    expect(await store.size(digest)).toBe(data.length);
    expect(await readdir(join(root, 'ingest'))).toEqual([]);
  });

  it('resumes a partial ingest left by a crash', async () => {
    const data = Buffer.from('0123456789abcdef');
    const digest = digestOf(data);
    const dir = join(root, 'ingest', `sha256-${digest.slice(7)}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'data'), data.subarray(0, 6));
    const ingest = await store.openIngest(digest, data.length);
    expect(ingest?.offset).toBe(6);
    await ingest!.write(data.subarray(6));
    await ingest!.commit();
    expect(await store.size(digest)).toBe(16);
    expect(await store.openIngest(digest, data.length)).toBeUndefined();
  });

  it('computes chain IDs as the OCI spec defines them', () => {
    const a = digestOf('a');
    const b = digestOf('b');
    expect(chainIds([a, b])).toEqual([a, digestOf(`${a} ${b}`)]);
  });
});
