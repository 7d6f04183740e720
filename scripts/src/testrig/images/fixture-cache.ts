import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rigCacheDir } from '../paths.js';
import { ImageBuilder } from './builder.js';
import { BUSYBOX_BINARY } from './busybox-rootfs.js';
import { buildCatalog, type TestCatalog } from './catalog.js';
import { zstdVersion } from './compress.js';
import { digestHex, sha256Digest } from './digest.js';
import type { BlobStore } from './types.js';

export interface TestImageSet {
  catalog: TestCatalog;
  blobs: BlobStore;
}

const here = path.dirname(fileURLToPath(import.meta.url));
let loading: Promise<TestImageSet> | undefined;

/**
 * The fixture catalog, built once per process and cached on disk under `.cache/testrig/fixtures-<key>`. The key
 * hashes everything the bytes depend on (this folder's code, the busybox binary, the compressors' versions), so a
 * change to any of them builds afresh and an unchanged tree loads in milliseconds.
 */
export function testImages(): Promise<TestImageSet> {
  loading ??= loadOrBuild().catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

export function fixtureCacheKey(): string {
  const h = createHash('sha256');
  for (const name of readdirSync(here).sort()) {
    if (/\.test\.|\.map$|\.d\.ts$/.test(name)) continue;
    h.update(name).update(readFileSync(path.join(here, name)));
  }
  h.update(readFileSync(BUSYBOX_BINARY));
  h.update(zstdVersion()).update(process.versions.zlib);
  return h.digest('hex').slice(0, 24);
}

async function loadOrBuild(): Promise<TestImageSet> {
  const dir = path.join(rigCacheDir, `fixtures-${fixtureCacheKey()}`);
  const cached = await load(dir).catch(() => undefined);
  if (cached) return cached;
  const builder = new ImageBuilder();
  const set = { catalog: await buildCatalog(builder), blobs: builder.blobs };
  await save(dir, set);
  return set;
}

async function load(dir: string): Promise<TestImageSet> {
  const catalog = JSON.parse(await readFile(path.join(dir, 'catalog.json'), 'utf8')) as TestCatalog;
  const blobs: BlobStore = new Map();
  const blobDir = path.join(dir, 'blobs', 'sha256');
  for (const hex of await readdir(blobDir)) {
    const data = await readFile(path.join(blobDir, hex));
    // A torn or tampered cache must not feed wrong bytes to tests: verify and rebuild on mismatch.
    if (sha256Digest(data) !== `sha256:${hex}`) throw new Error(`corrupt cached blob ${hex}`);
    blobs.set(`sha256:${hex}`, data);
  }
  return { catalog, blobs };
}

async function save(dir: string, set: TestImageSet): Promise<void> {
  await mkdir(rigCacheDir, { recursive: true });
  await pruneStale(path.basename(dir));
  const tmp = path.join(rigCacheDir, `tmp-${randomBytes(6).toString('hex')}`);
  await mkdir(path.join(tmp, 'blobs', 'sha256'), { recursive: true });
  for (const [digest, data] of set.blobs) await writeFile(path.join(tmp, 'blobs', 'sha256', digestHex(digest)), data);
  await writeFile(path.join(tmp, 'catalog.json'), JSON.stringify(set.catalog, null, 2));
  try {
    await rename(tmp, dir);
  } catch {
    // Another process finished the same build first; its copy is identical.
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Drops fixture builds of older code and abandoned temp dirs, once they are a day old. */
async function pruneStale(keep: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600_000;
  for (const name of await readdir(rigCacheDir).catch(() => [])) {
    if (name === keep || !/^(fixtures|tmp)-/.test(name)) continue;
    const full = path.join(rigCacheDir, name);
    const st = await stat(full).catch(() => undefined);
    if (st && st.mtimeMs < dayAgo) await rm(full, { recursive: true, force: true });
  }
}
