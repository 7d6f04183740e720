import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PATH, digestHex, dir, file, ImageBuilder, rigCacheDir, sha256Digest, type LayerEntry, type LayerSpec } from '../testrig/index.js';
import type { BlobStore, ManifestFixture } from '../testrig/images/types.js';

/**
 * The pull benchmarks' images: 4 gzip layers of ~25 MiB each (~100 MiB unpacked), shaped like real ones: a few big
 * incompressible files (think shared libraries) and many small compressible ones in nested directories, so both
 * decompression and file creation count. Bytes are deterministic (AES-CTR keystream with fixed keys), so the digests
 * never change and the built blobs are cached in `.cache/testrig/bench-<shape>-<key>`.
 */
export interface ImageShape {
  name: string;
  layers: number;
  binaryFilesPerLayer: number;
  binaryFileSize: number;
  textFilesPerLayer: number;
  textDirsPerLayer: number;
  /** Text files are 2 KiB plus up to this many bytes more (uniform). */
  textSizeSpread: number;
}

/** Issue 3's shape: 8 × 1.5 MiB binaries and 400 text files of 33 KiB on average per layer (~75 MiB gzip). */
export const BIG_SHAPE: ImageShape = {
  name: 'big',
  layers: 4,
  binaryFilesPerLayer: 8,
  binaryFileSize: 1536 * 1024,
  textFilesPerLayer: 400,
  textDirsPerLayer: 20,
  textSizeSpread: 62 * 1024,
};

/**
 * Issue 16's shape, that of `node_modules` or `site-packages`: per layer 2 × 5 MiB binaries (40 MiB over the image)
 * beside 2,000 text files of 7 KiB on average in 100 directories (~96 MiB unpacked).
 */
export const SMALL_FILES_SHAPE: ImageShape = {
  name: 'small-files',
  layers: 4,
  binaryFilesPerLayer: 2,
  binaryFileSize: 5 * 1024 * 1024,
  textFilesPerLayer: 2000,
  textDirsPerLayer: 100,
  textSizeSpread: 10 * 1024,
};

export const BIG_IMAGE_LAYERS = BIG_SHAPE.layers;

export interface BigImage {
  image: ManifestFixture;
  blobs: BlobStore;
}

const loading = new Map<string, Promise<BigImage>>();

export function shapedImage(shape: ImageShape): Promise<BigImage> {
  let p = loading.get(shape.name);
  if (!p) {
    p = loadOrBuild(shape);
    loading.set(shape.name, p);
  }
  return p;
}

export function bigImage(): Promise<BigImage> {
  return shapedImage(BIG_SHAPE);
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

function layerEntries(shape: ImageShape, layer: number): LayerEntry[] {
  const root = `opt/bench/l${layer}`;
  const prefix = shape.name === 'big' ? '' : `${shape.name}-`;
  const entries: LayerEntry[] = [dir('opt'), dir('opt/bench'), dir(root), dir(`${root}/lib`), dir(`${root}/share`)];
  for (let i = 0; i < shape.binaryFilesPerLayer; i++) {
    entries.push(file(`${root}/lib/lib${i}.so`, keystream(`${prefix}bin-${layer}-${i}`, shape.binaryFileSize), { mode: 0o755 }));
  }
  for (let d = 0; d < shape.textDirsPerLayer; d++) entries.push(dir(`${root}/share/d${d}`));
  const sizes = keystream(`${prefix}sizes-${layer}`, shape.textFilesPerLayer * 2);
  for (let i = 0; i < shape.textFilesPerLayer; i++) {
    const size = 2048 + (sizes.readUInt16LE(i * 2) % shape.textSizeSpread);
    const name = `${root}/share/d${i % shape.textDirsPerLayer}/f${i}.txt`;
    entries.push(file(name, textLike(`${prefix}txt-${layer}-${i}`, size)));
  }
  return entries;
}

async function build(shape: ImageShape): Promise<BigImage> {
  const b = new ImageBuilder();
  const layers: LayerSpec[] = [];
  for (let l = 0; l < shape.layers; l++) layers.push({ compression: 'gzip', entries: layerEntries(shape, l) });
  const image = await b.image({
    format: 'docker',
    platform: { os: 'linux', architecture: 'amd64' },
    layers,
    config: { Env: [DEFAULT_PATH], Cmd: ['sh'] },
  });
  return { image, blobs: b.blobs };
}

function cacheKey(shape: ImageShape): string {
  return createHash('sha256')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(JSON.stringify(shape))
    .update(process.versions.zlib)
    .digest('hex')
    .slice(0, 16);
}

async function loadOrBuild(shape: ImageShape): Promise<BigImage> {
  const cacheDir = path.join(rigCacheDir, `bench-${shape.name}-${cacheKey(shape)}`);
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
    const built = await build(shape);
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
