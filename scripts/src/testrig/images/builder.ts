import { compress } from './compress.js';
import { sha256Digest } from './digest.js';
import { configMediaType, indexMediaType, layerMediaType, manifestMediaType } from './mediatypes.js';
import { buildLayerTar, FIXED_MTIME, type LayerEntry } from './tar-layer.js';
import type {
  BlobStore,
  Compression,
  ContainerConfig,
  HistoryEntry,
  IndexFixture,
  LayerRef,
  ManifestFixture,
  ManifestFormat,
  Platform,
} from './types.js';

export interface LayerSpec {
  entries: LayerEntry[];
  compression: Compression;
}

export interface ImageSpec {
  format: ManifestFormat;
  platform: Platform;
  layers: LayerSpec[];
  config: ContainerConfig;
  /** One entry per layer plus any number of `empty_layer` entries; defaults to one generic entry per layer. */
  history?: HistoryEntry[];
  author?: string;
}

const CREATED = FIXED_MTIME.toISOString();

/**
 * Builds images without a daemon: layer tars, config, manifest and index JSON, each stored in `blobs` by digest.
 * The bytes are fixed by the inputs (no wall-clock times), so digests are stable across builds.
 */
export class ImageBuilder {
  private readonly layerCache = new Map<string, { diffId: string; blobs: Map<Compression, Buffer> }>();

  constructor(readonly blobs: BlobStore = new Map()) {}

  /** Adds raw bytes to the store and returns their digest. */
  put(data: Buffer): string {
    const digest = sha256Digest(data);
    this.blobs.set(digest, data);
    return digest;
  }

  async layer(spec: LayerSpec, format: ManifestFormat): Promise<LayerRef> {
    const tarBytes = await buildLayerTar(spec.entries);
    const diffId = sha256Digest(tarBytes);
    let cached = this.layerCache.get(diffId);
    if (!cached) {
      cached = { diffId, blobs: new Map() };
      this.layerCache.set(diffId, cached);
    }
    // The same content compressed the same way is one blob, shared by every image that uses it.
    let blob = cached.blobs.get(spec.compression);
    if (!blob) {
      blob = compress(tarBytes, spec.compression);
      cached.blobs.set(spec.compression, blob);
    }
    const digest = this.put(blob);
    return {
      mediaType: layerMediaType(format, spec.compression),
      digest,
      size: blob.length,
      diffId,
      compression: spec.compression,
    };
  }

  async image(spec: ImageSpec): Promise<ManifestFixture> {
    const layers: LayerRef[] = [];
    for (const l of spec.layers) layers.push(await this.layer(l, spec.format));
    const history: HistoryEntry[] = spec.history ?? spec.layers.map((_, i) => ({ created_by: `berth-test layer ${i + 1}` }));
    const nonEmpty = history.filter((h) => !h.empty_layer).length;
    if (nonEmpty !== layers.length) {
      throw new Error(`history has ${nonEmpty} non-empty entries for ${layers.length} layers`);
    }
    const config = {
      created: CREATED,
      ...(spec.author ? { author: spec.author } : {}),
      architecture: spec.platform.architecture,
      ...(spec.platform.variant ? { variant: spec.platform.variant } : {}),
      os: spec.platform.os,
      config: spec.config,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: history.map((h) => ({ created: CREATED, ...h })),
    };
    const configBytes = Buffer.from(JSON.stringify(config));
    const configRef = { mediaType: configMediaType(spec.format), digest: this.put(configBytes), size: configBytes.length };
    const mediaType = manifestMediaType(spec.format);
    const manifest = {
      schemaVersion: 2,
      mediaType,
      config: configRef,
      layers: layers.map(({ mediaType: m, digest, size }) => ({ mediaType: m, digest, size })),
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
    return {
      kind: 'manifest',
      mediaType,
      digest: this.put(manifestBytes),
      size: manifestBytes.length,
      platform: spec.platform,
      config: configRef,
      layers,
    };
  }

  index(format: ManifestFormat, manifests: ManifestFixture[]): IndexFixture {
    const mediaType = indexMediaType(format);
    for (const m of manifests) {
      if (m.mediaType !== manifestMediaType(format)) throw new Error(`${format} index cannot list a ${m.mediaType}`);
    }
    const index = {
      schemaVersion: 2,
      mediaType,
      manifests: manifests.map((m) => ({ mediaType: m.mediaType, digest: m.digest, size: m.size, platform: m.platform })),
    };
    const bytes = Buffer.from(JSON.stringify(index, null, 2));
    return { kind: 'index', mediaType, digest: this.put(bytes), size: bytes.length, manifests };
  }
}
