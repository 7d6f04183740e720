/**
 * `GET /distribution/{name}/json`: the descriptor a reference resolves to on its registry, and the platforms it
 * offers (from the index, or from the single manifest's config).
 */
import type { AuthConfig } from './auth.js';
import { RepositoryClient } from './client.js';
import { manifestNotFound } from './errors.js';
import type { RegistryConfig } from './hosts.js';
import { isIndex, type Index, type Manifest, type Platform } from './mediatypes.js';
import { familiarString, type Reference } from './reference.js';
import { fetchBlob, fetchManifest } from './repository.js';
import { NotFound } from '../base/errors.js';

export interface DistributionInspect {
  Descriptor: { mediaType: string; digest: string; size: number };
  Platforms: Platform[];
}

export async function distributionInspect(config: RegistryConfig, ref: Reference, auth: AuthConfig | undefined): Promise<DistributionInspect> {
  const client = new RepositoryClient(ref.domain, ref.path, { config, auth });
  let top;
  try {
    top = await fetchManifest(client, ref.digest ?? ref.tag ?? 'latest');
  } catch (err) {
    throw err instanceof NotFound ? manifestNotFound(familiarString(ref), err) : err;
  }
  const Descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.data.length };
  let Platforms: Platform[];
  if (isIndex(top.mediaType)) {
    Platforms = ((JSON.parse(top.data.toString('utf8')) as Index).manifests ?? [])
      .map((m) => m.platform)
      .filter((p): p is Platform => p !== undefined && p.os !== 'unknown');
  } else {
    const m = JSON.parse(top.data.toString('utf8')) as Manifest;
    const { body } = await fetchBlob(client, m.config.digest);
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    const c = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { os?: string; architecture?: string; variant?: string };
    Platforms = [{ architecture: c.architecture ?? '', os: c.os ?? '', ...(c.variant ? { variant: c.variant } : {}) }];
  }
  return { Descriptor, Platforms };
}
