import { MediaTypes } from './mediatypes.js';
import { authHeaders, type RegistryEndpoint } from './push.js';

export interface FetchedManifest {
  status: number;
  mediaType: string;
  /** The registry's Docker-Content-Digest header. */
  digest: string;
  body: Buffer;
}

const ALL_MANIFEST_TYPES = [MediaTypes.ociIndex, MediaTypes.ociManifest, MediaTypes.dockerManifestList, MediaTypes.dockerManifest].join(', ');

/** GETs a manifest the way a pulling client does, accepting every modern manifest type. */
export async function fetchManifest(registry: RegistryEndpoint, repository: string, reference: string, accept = ALL_MANIFEST_TYPES): Promise<FetchedManifest> {
  const res = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    headers: { ...authHeaders(registry), Accept: accept },
  });
  const body = Buffer.from(await res.arrayBuffer());
  return {
    status: res.status,
    mediaType: res.headers.get('content-type') ?? '',
    digest: res.headers.get('docker-content-digest') ?? '',
    body,
  };
}

export async function fetchBlob(registry: RegistryEndpoint, repository: string, digest: string): Promise<Buffer> {
  const res = await fetch(`${registry.url}/v2/${repository}/blobs/${digest}`, { headers: authHeaders(registry) });
  if (res.status !== 200) throw new Error(`GET blob ${digest}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
