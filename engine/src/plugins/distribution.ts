/**
 * Plugins on a registry: a Docker v2 schema 2 manifest whose config has the media type
 * `application/vnd.docker.plugin.v1+json` (an image is refused as dockerd refuses it: `Encountered remote
 * "…"(image) when fetching`), and gzip'd rootfs layers. Privileges read only the config; a pull stores manifest,
 * config and layers in the plugin blob store with dockerd's progress messages; a push sends them back.
 */
import { EngineError, NotFound, SystemError, Unauthorized } from '../base/errors.js';
import { digestOf, shortDigest } from '../content/digest.js';
import type { ContentStore } from '../content/store.js';
import { hostPlatform, selectManifest } from '../images/platform.js';
import { LayerProgress, statusLine, type ProgressSink } from '../images/progress.js';
import type { AuthConfig } from '../registry/auth.js';
import { RepositoryClient } from '../registry/client.js';
import { manifestNotFound, pullAccessDenied } from '../registry/errors.js';
import type { RegistryConfig } from '../registry/hosts.js';
import { TransportError } from '../registry/http.js';
import { MT, isIndex, type Index, type Manifest } from '../registry/mediatypes.js';
import { DEFAULT_DOMAIN, familiarName, familiarString, type Reference } from '../registry/reference.js';
import { fetchBlob, fetchManifest, finishUpload, putManifest, startUpload, statBlob } from '../registry/repository.js';
import { decodePluginConfig, type PluginConfig } from './config.js';

export const PLUGIN_CONFIG_MEDIA_TYPE = MT.dockerPluginConfig;

const IMAGE_CONFIG_TYPES = new Set<string>([MT.dockerConfig, MT.ociConfig, 'application/octet-stream', 'application/json', 'text/html', '']);

function explain(err: unknown, ref: Reference): unknown {
  if (!(err instanceof EngineError)) return err;
  // dockerd answers a registry it cannot reach with a 500 here (an image pull's 503 is not what plugin clients see).
  if (err instanceof TransportError) return new SystemError(`error resolving plugin reference: ${err.message}`, { cause: err });
  if (err instanceof NotFound && !(err.cause instanceof NotFound)) return manifestNotFound(familiarString(ref), err);
  if (err instanceof Unauthorized) {
    return ref.domain === DEFAULT_DOMAIN ? pullAccessDenied(familiarName(ref), err) : new SystemError(err.message, { cause: err });
  }
  return err;
}

interface ResolvedManifest {
  client: RepositoryClient;
  manifest: Manifest;
  data: Buffer;
  digest: string;
}

async function resolve(registry: RegistryConfig, ref: Reference, auth: AuthConfig | undefined): Promise<ResolvedManifest> {
  const client = new RepositoryClient(ref.domain, ref.path, { config: registry, auth });
  try {
    let top = await fetchManifest(client, ref.digest ?? ref.tag ?? 'latest');
    if (isIndex(top.mediaType)) {
      const chosen = selectManifest((JSON.parse(top.data.toString('utf8')) as Index).manifests ?? [], hostPlatform());
      if (!chosen) throw new NotFound(`no matching manifest for ${hostPlatform().os}/${hostPlatform().architecture} in the manifest list entries`);
      top = await fetchManifest(client, chosen.digest);
    }
    const manifest = JSON.parse(top.data.toString('utf8')) as Manifest;
    const configType = manifest.config?.mediaType ?? '';
    if (configType !== PLUGIN_CONFIG_MEDIA_TYPE) {
      const kind = IMAGE_CONFIG_TYPES.has(configType) ? 'image' : 'unknown';
      throw new SystemError(`Encountered remote ${JSON.stringify(configType)}(${kind}) when fetching`);
    }
    return { client, manifest, data: top.data, digest: top.digest };
  } catch (err) {
    throw explain(err, ref);
  }
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

async function fetchConfig(r: ResolvedManifest): Promise<{ data: Buffer; config: PluginConfig }> {
  const data = await readAll((await fetchBlob(r.client, r.manifest.config.digest)).body);
  if (digestOf(data) !== r.manifest.config.digest) throw new SystemError(`plugin config verification failed for digest ${r.manifest.config.digest}`);
  return { data, config: decodePluginConfig(data) };
}

/** `GET /plugins/privileges`: reads the remote plugin's config only. */
export async function fetchPluginConfig(registry: RegistryConfig, ref: Reference, auth: AuthConfig | undefined): Promise<PluginConfig> {
  return (await fetchConfig(await resolve(registry, ref, auth))).config;
}

export interface FetchedPlugin {
  config: PluginConfig;
  configDigest: string;
  manifestDigest: string;
  blobsums: string[];
}

async function* counted(source: AsyncIterable<Buffer>, onBytes: (n: number) => void): AsyncIterable<Buffer> {
  let n = 0;
  for await (const c of source) {
    n += c.length;
    onBytes(n);
    yield c;
  }
}

/** Fetches a plugin's manifest, config and layers into the plugin blob store, reporting as a pull does. */
export async function fetchPlugin(
  registry: RegistryConfig,
  ref: Reference,
  auth: AuthConfig | undefined,
  blobs: ContentStore,
  progress: ProgressSink,
): Promise<FetchedPlugin> {
  const r = await resolve(registry, ref, auth);
  progress({ status: `${ref.digest ?? ref.tag ?? 'latest'}: Pulling from ${familiarName(ref)}` });
  const { data, config } = await fetchConfig(r);
  const layers = r.manifest.layers ?? [];
  for (const l of layers) statusLine(progress, shortDigest(l.digest), 'Pulling fs layer');
  try {
    for (const l of layers) {
      const id = shortDigest(l.digest);
      if (!(await blobs.has(l.digest))) {
        const bar = new LayerProgress(progress, id, 'Downloading', l.size);
        const { body } = await fetchBlob(r.client, l.digest);
        const stored = await blobs.putStream(counted(body as AsyncIterable<Buffer>, (n) => bar.update(n)));
        if (stored.digest !== l.digest) {
          await blobs.delete(stored.digest);
          throw new SystemError(`filesystem layer verification failed for digest ${l.digest}`);
        }
      }
      statusLine(progress, id, 'Download complete');
    }
  } catch (err) {
    throw explain(err, ref);
  }
  const configDigest = await blobs.put(data);
  const manifestDigest = await blobs.put(r.data);
  progress({ status: `Digest: ${r.digest}` });
  progress({ status: `Status: Downloaded newer image for ${familiarString(ref)}` });
  return { config, configDigest, manifestDigest, blobsums: layers.map((l) => l.digest) };
}

/** The Docker schema 2 manifest dockerd writes for a plugin it made (`docker plugin create`). */
export async function buildPluginManifest(blobs: ContentStore, configDigest: string, layers: readonly string[]): Promise<string> {
  const size = async (d: string): Promise<number> => {
    const s = await blobs.size(d);
    if (s === undefined) throw new SystemError(`error reading plugin config content for digest ${d}`);
    return s;
  };
  const manifest = {
    schemaVersion: 2,
    mediaType: MT.dockerManifest,
    config: { mediaType: PLUGIN_CONFIG_MEDIA_TYPE, digest: configDigest, size: await size(configDigest) },
    layers: await Promise.all(layers.map(async (d) => ({ mediaType: MT.dockerLayer, digest: d, size: await size(d) }))),
  };
  return blobs.put(Buffer.from(JSON.stringify(manifest)));
}

export interface PushablePlugin {
  configDigest: string;
  manifestDigest: string;
  blobsums: readonly string[];
}

/** `docker plugin push`: layers and config (skipping those the registry has), then the manifest under the tag. */
export async function pushPlugin(
  registry: RegistryConfig,
  ref: Reference,
  auth: AuthConfig | undefined,
  blobs: ContentStore,
  plugin: PushablePlugin,
  progress: ProgressSink,
): Promise<void> {
  const client = new RepositoryClient(ref.domain, ref.path, { config: registry, auth, push: true });
  progress({ status: `The push refers to repository [${familiarName(ref)}]` });
  const all = [...plugin.blobsums, plugin.configDigest];
  for (const d of all) statusLine(progress, shortDigest(d), 'Preparing');
  try {
    for (const d of all) {
      const id = shortDigest(d);
      const size = await blobs.size(d);
      if (size === undefined) throw new SystemError(`error pushing plugin: blob ${d} is missing from the plugin store`);
      if ((await statBlob(client, d)) !== undefined) {
        statusLine(progress, id, 'Layer already exists');
        continue;
      }
      const location = await startUpload(client);
      if (location === 'mounted') continue;
      await finishUpload(client, location, d, size, blobs.readStream(d));
      statusLine(progress, id, 'Pushed');
    }
    const data = await blobs.read(plugin.manifestDigest);
    const tag = ref.tag ?? 'latest';
    await putManifest(client, tag, MT.dockerManifest, data);
    progress({ status: `${tag}: digest: ${plugin.manifestDigest} size: ${data.length}` });
    progress({ progressDetail: {}, aux: { Tag: tag, Digest: plugin.manifestDigest, Size: data.length } });
  } catch (err) {
    if (err instanceof EngineError && !(err instanceof SystemError && err.message.startsWith('error pushing plugin'))) {
      throw new SystemError(`error pushing plugin: ${err.message}`, { cause: err });
    }
    throw err;
  }
}
