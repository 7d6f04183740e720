/**
 * `POST /images/create?fromImage=…`: resolve the manifest (picking a platform from an index), fetch the config,
 * stream every missing layer into its snapshot (three at a time, as dockerd), then record the image and tag it,
 * reporting progress in dockerd's message sequence.
 */
import { EngineError, InvalidArgument, NotFound, SystemError, Unauthorized } from '../base/errors.js';
import { chainIds, digestOf, shortDigest } from '../content/digest.js';
import type { AuthConfig } from '../registry/auth.js';
import { RepositoryClient } from '../registry/client.js';
import { manifestNotFound, pullAccessDenied } from '../registry/errors.js';
import { MT, isIndex, isManifest, type Descriptor, type Index, type Manifest, type Platform } from '../registry/mediatypes.js';
import { DEFAULT_DOMAIN, familiarName, familiarString, repositoryName, type Reference } from '../registry/reference.js';
import { fetchBlob, fetchManifest, listTags, type FetchedManifest } from '../registry/repository.js';
import type { ImageConfig, ImageDeps } from './deps.js';
import { stillWanted } from './cancel.js';
import { ensureLayer } from './layer.js';
import { platformMatches, platformString, selectManifest } from './platform.js';
import { runLimited } from './pool.js';
import { LayerProgress, statusLine, type ProgressSink } from './progress.js';
import { registerImage } from './register.js';
import type { ImageRecord } from './store.js';

export interface PullOptions {
  platform?: Platform | undefined;
  auth?: AuthConfig | undefined;
  /** Aborts when the client has gone: the pull stops where it is and tags nothing, as dockerd cancels its context. */
  signal?: AbortSignal | undefined;
}

const CONCURRENT_DOWNLOADS = 3;

/**
 * dockerd's pull errors. A refused pull is never a 401 to the client: the CLI answers a 401 by prompting for a
 * login on stdin. Docker Hub's refusal reads as "pull access denied" (404), others as a plain 500.
 */
function explain(err: unknown, ref: Reference): unknown {
  if (!(err instanceof EngineError)) return err;
  if (err instanceof NotFound && !(err.cause instanceof NotFound)) return manifestNotFound(familiarString(ref), err);
  if (err instanceof Unauthorized) {
    return ref.domain === DEFAULT_DOMAIN ? pullAccessDenied(familiarName(ref), err) : new SystemError(err.message, { cause: err });
  }
  return err;
}

/** Transient failures (connection drops, 5xx) retried like dockerd: 5 attempts, resuming the partial download. */
async function withRetries<T>(work: () => Promise<T>, onRetry: (seconds: number) => void, signal: AbortSignal | undefined): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const permanent = err instanceof InvalidArgument || err instanceof NotFound || err instanceof Unauthorized || signal?.aborted === true;
      if (permanent || attempt >= 5) throw err;
      onRetry(attempt);
      await new Promise((r) => setTimeout(r, attempt * 1000));
    }
  }
}

/** A managed plugin (`docker plugin push`) is not an image: dockerd refuses it before it reports anything. */
function refusePlugin(manifest: Manifest): void {
  if (manifest.config?.mediaType === MT.dockerPluginConfig) {
    throw new SystemError(`Encountered remote ${JSON.stringify(MT.dockerPluginConfig)}(plugin) when fetching`);
  }
}

async function fetchJsonBlob(deps: ImageDeps, client: RepositoryClient, desc: Descriptor): Promise<Buffer> {
  if (await deps.content.has(desc.digest)) return deps.content.read(desc.digest);
  const { body } = await fetchBlob(client, desc.digest);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  const data = Buffer.concat(chunks);
  await deps.content.put(data, desc.digest);
  return data;
}

async function resolveManifest(
  deps: ImageDeps,
  client: RepositoryClient,
  ref: Reference,
  top: FetchedManifest,
  opts: PullOptions,
): Promise<{ manifest: Manifest; desc: Descriptor }> {
  const want = opts.platform ?? deps.platform;
  if (isIndex(top.mediaType)) {
    const index = JSON.parse(top.data.toString('utf8')) as Index;
    const chosen = selectManifest(index.manifests ?? [], want);
    if (!chosen) {
      throw new NotFound(`no matching manifest for ${platformString(want)} in the manifest list entries`);
    }
    const m = await fetchManifest(client, chosen.digest);
    await deps.content.put(m.data, m.digest);
    return { manifest: JSON.parse(m.data.toString('utf8')) as Manifest, desc: { ...chosen, mediaType: m.mediaType } };
  }
  if (!isManifest(top.mediaType)) {
    throw new InvalidArgument(`unsupported manifest media type ${top.mediaType} for ${familiarString(ref)}`);
  }
  const desc: Descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.data.length };
  return { manifest: JSON.parse(top.data.toString('utf8')) as Manifest, desc };
}

export async function pullImage(deps: ImageDeps, ref: Reference, opts: PullOptions, sink: ProgressSink): Promise<ImageRecord> {
  const client = new RepositoryClient(ref.domain, ref.path, { config: deps.registry, auth: opts.auth });
  const wanted = ref.digest ?? ref.tag ?? 'latest';
  let top: FetchedManifest;
  try {
    top = await fetchManifest(client, wanted);
  } catch (err) {
    throw explain(err, ref);
  }
  // After the manifest, as dockerd: a failed resolution is still a plain HTTP error, not an in-band one.
  if (isManifest(top.mediaType)) refusePlugin(JSON.parse(top.data.toString('utf8')) as Manifest);
  sink({ status: `Pulling from ${ref.path}`, id: wanted });
  await deps.content.put(top.data, top.digest);
  const { manifest, desc } = await resolveManifest(deps, client, ref, top, opts);
  refusePlugin(manifest);
  const configData = await fetchJsonBlob(deps, client, manifest.config);
  stillWanted(opts.signal);
  const config = JSON.parse(configData.toString('utf8')) as ImageConfig;
  const id = manifest.config.digest;
  if (digestOf(configData) !== id) throw new InvalidArgument(`image config verification failed for ${id}`);
  const platform: Platform = { os: config.os ?? 'linux', architecture: config.architecture ?? 'amd64', ...(config.variant ? { variant: config.variant } : {}) };
  if (opts.platform && !isIndex(top.mediaType) && !platformMatches(opts.platform, platform)) {
    throw new NotFound(
      `image with reference ${familiarString(ref)} was found but does not match the specified platform: wanted ${platformString(opts.platform)}, actual: ${platformString(platform)}`,
    );
  }
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== manifest.layers.length) {
    throw new InvalidArgument(`invalid image ${familiarString(ref)}: ${manifest.layers.length} layers but ${diffIds.length} diff IDs`);
  }
  const chains = chainIds(diffIds);
  const release = deps.leases.hold([top.digest, desc.digest, id, ...chains, ...manifest.layers.map((l) => l.digest)]);
  try {
    return await pullLayers(deps, client, ref, { top, desc, manifest, config, diffIds, chains, platform }, sink, opts.signal);
  } finally {
    release();
  }
}

interface Resolution {
  top: FetchedManifest;
  desc: Descriptor;
  manifest: Manifest;
  config: ImageConfig;
  diffIds: string[];
  chains: string[];
  platform: Platform;
}

async function pullLayers(
  deps: ImageDeps,
  client: RepositoryClient,
  ref: Reference,
  r: Resolution,
  sink: ProgressSink,
  signal: AbortSignal | undefined,
): Promise<ImageRecord> {
  const { top, desc, manifest, config, diffIds, chains, platform } = r;
  const id = manifest.config.digest;
  const present = await Promise.all(chains.map((c) => deps.snapshots.has(c)));
  const missing: number[] = [];
  manifest.layers.forEach((l, i) => {
    if (present[i]) statusLine(sink, shortDigest(l.digest), 'Already exists');
    else {
      statusLine(sink, shortDigest(l.digest), 'Pulling fs layer');
      missing.push(i);
    }
  });
  missing.slice(CONCURRENT_DOWNLOADS).forEach((i) => statusLine(sink, shortDigest(manifest.layers[i]!.digest), 'Waiting'));
  const sizes: number[] = new Array<number>(diffIds.length).fill(0);
  await runLimited(missing, CONCURRENT_DOWNLOADS, async (i) => {
    const layer = manifest.layers[i]!;
    const lid = shortDigest(layer.digest);
    const bar = new LayerProgress(sink, lid, 'Downloading', layer.size);
    const attempt = (): Promise<number> =>
      ensureLayer(
        deps.content,
        deps.snapshots,
        { desc: layer, diffId: diffIds[i]!, chainId: chains[i]!, parent: chains[i - 1] },
        (digest, offset) => fetchBlob(client, digest, offset),
        {
          downloading: (n) => bar.update(n),
          downloaded: () => {
            statusLine(sink, lid, 'Verifying Checksum');
            statusLine(sink, lid, 'Download complete');
          },
        },
        signal,
      );
    sizes[i] = await withRetries(attempt, (n) => statusLine(sink, lid, `Retrying in ${n} second${n > 1 ? 's' : ''}`), signal);
    new LayerProgress(sink, lid, 'Extracting', layer.size).update(layer.size, true);
    statusLine(sink, lid, 'Pull complete');
  });
  for (let i = 0; i < chains.length; i++) if (present[i]) sizes[i] = (await deps.snapshots.meta(chains[i]!))?.size ?? 0;

  stillWanted(signal);
  const before = ref.tag ? deps.meta.tagTarget(`${repositoryName(ref)}:${ref.tag}`) : undefined;
  // As dockerd: "up to date" means no reference changed (the tag, or for a digest pull the repo digest).
  const digestKnown = deps.meta.get(id)?.repoDigests.includes(`${repositoryName(ref)}@${top.digest}`) ?? false;
  const record: ImageRecord = {
    id,
    manifest: desc,
    layers: manifest.layers,
    diffIds,
    chainIds: chains,
    layerSizes: sizes,
    repoDigests: [`${repositoryName(ref)}@${top.digest}`],
    platform,
    created: config.created ?? new Date(0).toISOString(),
    added: new Date().toISOString(),
  };
  await registerImage(deps, record, ref.tag && !ref.digest ? [ref] : []);
  sink({ status: `Digest: ${top.digest}` });
  const upToDate = ref.tag && !ref.digest ? before === id : digestKnown;
  sink({ status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarString(ref)}` });
  deps.events.publish('image', 'pull', familiarString(ref), { name: familiarName(ref) });
  return deps.meta.get(id)!;
}

/** `docker pull --all-tags`: every tag the registry lists, one after the other, as dockerd does. */
export async function pullAllTags(deps: ImageDeps, ref: Reference, opts: PullOptions, sink: ProgressSink): Promise<void> {
  const client = new RepositoryClient(ref.domain, ref.path, { config: deps.registry, auth: opts.auth });
  let tags: string[];
  try {
    tags = await listTags(client);
  } catch (err) {
    throw explain(err, ref);
  }
  if (tags.length === 0) throw new NotFound(`no tags found for ${familiarName(ref)}`);
  for (const tag of tags.sort()) {
    stillWanted(opts.signal);
    await pullImage(deps, { domain: ref.domain, path: ref.path, tag }, opts, (m) => {
      if (!m.status?.startsWith('Status: ')) sink(m);
    });
  }
  sink({ status: `Status: Downloaded newer image for ${familiarName(ref)}` });
}
