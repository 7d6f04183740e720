import { sha256Digest } from './digest.js';
import { testImages } from './fixture-cache.js';
import type { TestImageName } from './catalog.js';
import type { BlobRef, BlobStore, CatalogEntry, ImageFixture, ManifestFixture } from './types.js';

/** The part of a registry the pusher needs; `TestRegistry` fits. */
export interface RegistryEndpoint {
  host: string;
  url: string;
  auth?: { username: string; password: string };
}

export interface PushOptions {
  /** `monolithic`: POST then one PUT with the bytes. `chunked`: POST, PATCH per chunk, PUT to close. */
  upload?: 'monolithic' | 'chunked';
  chunkSize?: number;
  /** Where the image's bytes are; defaults to the rig's fixture store. */
  blobs?: BlobStore;
}

/**
 * Pushes an image (a manifest, or an index and all its manifests) over plain HTTP, blobs first, then manifests by
 * digest, then the top one by tag. Returns the top manifest's digest as the registry reported it.
 */
export async function pushImage(registry: RegistryEndpoint, image: ImageFixture, ref: string, opts: PushOptions = {}): Promise<string> {
  const { repository, tag } = splitRef(ref);
  const blobs = opts.blobs ?? (await testImages()).blobs;
  const manifests = image.kind === 'index' ? image.manifests : [image];
  for (const m of manifests) {
    for (const blob of [m.config, ...m.layers]) await pushBlob(registry, repository, blob, blobs, opts);
    if (image.kind === 'index') await putManifest(registry, repository, m.digest, m, blobs);
  }
  return putManifest(registry, repository, tag, image, blobs);
}

export type PushedImage = CatalogEntry & {
  /** `127.0.0.1:PORT/berth-test/busybox:latest` */
  reference: string;
  /** `127.0.0.1:PORT/berth-test/busybox@sha256:…` */
  canonical: string;
  /** The top manifest's (or index's) digest. */
  digest: string;
};
export type PushedTestImages = { [K in TestImageName]: PushedImage };

/** Pushes the whole fixture catalog; a few images go up in chunks so both upload paths stay exercised. */
export async function pushTestImages(registry: RegistryEndpoint): Promise<PushedTestImages> {
  const { catalog, blobs } = await testImages();
  const chunked = new Set<TestImageName>(['uncompressed', 'zstd', 'whiteouts']);
  const out: Partial<Record<TestImageName, PushedImage>> = {};
  for (const name of Object.keys(catalog) as TestImageName[]) {
    const entry: CatalogEntry = catalog[name];
    const upload = chunked.has(name) ? 'chunked' : 'monolithic';
    const digest = await pushImage(registry, entry.image, entry.ref, { blobs, upload, chunkSize: 256 * 1024 });
    out[name] = {
      ...entry,
      reference: `${registry.host}/${entry.ref}`,
      canonical: `${registry.host}/${entry.repository}@${digest}`,
      digest,
    };
  }
  return out as PushedTestImages;
}

export function splitRef(ref: string): { repository: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  if (colon <= 0 || ref.slice(colon).includes('/')) return { repository: ref, tag: 'latest' };
  return { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) };
}

export function authHeaders(registry: RegistryEndpoint): Record<string, string> {
  if (!registry.auth) return {};
  const token = Buffer.from(`${registry.auth.username}:${registry.auth.password}`).toString('base64');
  return { Authorization: `Basic ${token}` };
}

async function pushBlob(registry: RegistryEndpoint, repo: string, ref: BlobRef, blobs: BlobStore, opts: PushOptions): Promise<void> {
  const auth = authHeaders(registry);
  const head = await fetch(`${registry.url}/v2/${repo}/blobs/${ref.digest}`, { method: 'HEAD', headers: auth });
  if (head.status === 200) return;
  const data = blobs.get(ref.digest);
  if (!data) throw new Error(`blob ${ref.digest} is not in the store`);
  let location = await expectStatus(
    await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, { method: 'POST', headers: { ...auth, 'Content-Length': '0' } }),
    202,
    `start upload of ${ref.digest}`,
  ).then((res) => uploadLocation(registry, res));

  let body: Buffer = data;
  if (opts.upload === 'chunked') {
    const size = opts.chunkSize ?? 1024 * 1024;
    for (let start = 0; start < data.length; start += size) {
      const chunk = data.subarray(start, Math.min(start + size, data.length));
      const res = await fetch(location, {
        method: 'PATCH',
        headers: {
          ...auth,
          'Content-Type': 'application/octet-stream',
          'Content-Range': `${start}-${start + chunk.length - 1}`,
          'Content-Length': String(chunk.length),
        },
        body: chunk,
      });
      location = uploadLocation(registry, await expectStatus(res, 202, `upload chunk of ${ref.digest}`));
    }
    body = Buffer.alloc(0);
  }
  const put = new URL(location);
  put.searchParams.set('digest', ref.digest);
  await expectStatus(
    await fetch(put, {
      method: 'PUT',
      headers: { ...auth, 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
      body,
    }),
    201,
    `finish upload of ${ref.digest}`,
  );
}

async function putManifest(registry: RegistryEndpoint, repo: string, reference: string, m: ImageFixture | ManifestFixture, blobs: BlobStore): Promise<string> {
  const body = blobs.get(m.digest);
  if (!body) throw new Error(`manifest ${m.digest} is not in the store`);
  const res = await fetch(`${registry.url}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...authHeaders(registry), 'Content-Type': m.mediaType },
    body,
  });
  await expectStatus(res, 201, `put manifest ${repo}:${reference}`);
  const digest = res.headers.get('docker-content-digest') ?? sha256Digest(body);
  if (digest !== m.digest) throw new Error(`registry stored ${repo}:${reference} as ${digest}, expected ${m.digest}`);
  return digest;
}

function uploadLocation(registry: RegistryEndpoint, res: Response): string {
  const loc = res.headers.get('location');
  if (!loc) throw new Error('upload response without Location');
  return new URL(loc, registry.url).toString();
}

async function expectStatus(res: Response, status: number, what: string): Promise<Response> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} (want ${status}): ${text.slice(0, 500)}`);
  return res;
}
