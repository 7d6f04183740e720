import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PATH, digestHex, dir, file, ImageBuilder, rigCacheDir, sha256Digest, type LayerEntry, type LayerSpec } from '../testrig/index.js';
import type { BlobStore, ManifestFixture } from '../testrig/images/types.js';

/**
 * The pull benchmark's image: 4 gzip layers of ~25 MiB each (~100 MiB unpacked, ~75 MiB compressed), shaped like a
 * real one: a few big incompressible files (think shared libraries) and hundreds of small compressible ones in
 * nested directories, so both decompression and file creation count. Bytes are deterministic (AES-CTR keystream
 * with fixed keys), so the digests never change and the built blobs are cached in `.cache/testrig/bench-big-<key>`.
 */
export const BIG_IMAGE_LAYERS = 4;
const BINARY_FILES_PER_LAYER = 8;
const BINARY_FILE_SIZE = 1536 * 1024;
const TEXT_FILES_PER_LAYER = 400;
const TEXT_DIRS_PER_LAYER = 20;

export interface BigImage {
  image: ManifestFixture;
  blobs: BlobStore;
}

let loading: Promise<BigImage> | undefined;

export function bigImage(): Promise<BigImage> {
  loading ??= loadOrBuild();
  return loading;
}

/** `n` deterministic pseudo-random bytes for the given label. */
function keystream(label: string, n: number): Buffer {
  const key = createHash('sha256').update(label).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return Buffer.concat([cipher.update(Buffer.alloc(n)), cipher.final()]);
}

/** Text-like bytes: 16 symbols (about 4 bits each), which gzip shrinks to roughly half, as it does source/config. */
function textLike(label: string, n: number): Buffer {
  const alphabet = Buffer.from('etaoinshrdlu \n{}');
  const raw = keystream(label, n);
  for (let i = 0; i < n; i++) raw[i] = alphabet[raw[i]! & 0x0f]!;
  return raw;
}

function layerEntries(layer: number): LayerEntry[] {
  const root = `opt/bench/l${layer}`;
  const entries: LayerEntry[] = [dir('opt'), dir('opt/bench'), dir(root), dir(`${root}/lib`), dir(`${root}/share`)];
  for (let i = 0; i < BINARY_FILES_PER_LAYER; i++) {
    entries.push(file(`${root}/lib/lib${i}.so`, keystream(`bin-${layer}-${i}`, BINARY_FILE_SIZE), { mode: 0o755 }));
  }
  for (let d = 0; d < TEXT_DIRS_PER_LAYER; d++) entries.push(dir(`${root}/share/d${d}`));
  const sizes = keystream(`sizes-${layer}`, TEXT_FILES_PER_LAYER * 2);
  for (let i = 0; i < TEXT_FILES_PER_LAYER; i++) {
    // 2 KiB to 64 KiB, 33 KiB on average.
    const size = 2048 + (sizes.readUInt16LE(i * 2) % (62 * 1024));
    entries.push(file(`${root}/share/d${i % TEXT_DIRS_PER_LAYER}/f${i}.txt`, textLike(`txt-${layer}-${i}`, size)));
  }
  return entries;
}

async function build(): Promise<BigImage> {
  const b = new ImageBuilder();
  const layers: LayerSpec[] = [];
  for (let l = 0; l < BIG_IMAGE_LAYERS; l++) layers.push({ compression: 'gzip', entries: layerEntries(l) });
  const image = await b.image({
    format: 'docker',
    platform: { os: 'linux', architecture: 'amd64' },
    layers,
    config: { Env: [DEFAULT_PATH], Cmd: ['sh'] },
  });
  return { image, blobs: b.blobs };
}

function cacheKey(): string {
  return createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).update(process.versions.zlib).digest('hex').slice(0, 16);
}

async function loadOrBuild(): Promise<BigImage> {
  const cacheDir = path.join(rigCacheDir, `bench-big-${cacheKey()}`);
  try {
    const image = JSON.parse(await readFile(path.join(cacheDir, 'image.json'), 'utf8')) as ManifestFixture;
    const blobs: BlobStore = new Map();
    for (const hex of await readdir(path.join(cacheDir, 'blobs'))) {
      const data = await readFile(path.join(cacheDir, 'blobs', hex));
      if (sha256Digest(data) !== `sha256:${hex}`) throw new Error(`corrupt cached blob ${hex}`);
      blobs.set(`sha256:${hex}`, data);
    }
    return { image, blobs };
  } catch {
    const built = await build();
    const tmp = path.join(rigCacheDir, `tmp-${randomBytes(6).toString('hex')}`);
    await mkdir(path.join(tmp, 'blobs'), { recursive: true });
    for (const [digest, data] of built.blobs) await writeFile(path.join(tmp, 'blobs', digestHex(digest)), data);
    await writeFile(path.join(tmp, 'image.json'), JSON.stringify(built.image));
    await rm(cacheDir, { recursive: true, force: true });
    // A concurrent build of the same key wins the rename; its bytes are identical.
    await rename(tmp, cacheDir).catch(() => rm(tmp, { recursive: true, force: true }));
    return built;
  }
}
