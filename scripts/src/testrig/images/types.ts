/** The shapes the rig's image fixtures take: descriptors plus a blob store that holds every byte by digest. */

export type Compression = 'gzip' | 'zstd' | 'none';
export type ManifestFormat = 'docker' | 'oci';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface BlobRef {
  mediaType: string;
  digest: string;
  size: number;
}

export interface LayerRef extends BlobRef {
  /** sha256 of the uncompressed tar, as listed in the config's rootfs.diff_ids. */
  diffId: string;
  compression: Compression;
}

export interface ManifestFixture {
  kind: 'manifest';
  mediaType: string;
  digest: string;
  size: number;
  platform: Platform;
  config: BlobRef;
  layers: LayerRef[];
}

export interface IndexFixture {
  kind: 'index';
  mediaType: string;
  digest: string;
  size: number;
  manifests: ManifestFixture[];
}

export type ImageFixture = ManifestFixture | IndexFixture;

/** Every blob (layers, configs, manifests, indexes) by digest. */
export type BlobStore = Map<string, Buffer>;

/** What a test can assert after pulling/loading a fixture: paths that must exist and paths that must not. */
export interface FixtureExpectations {
  present?: string[];
  absent?: string[];
  /** Paths on the host that extraction must never create (hostile archives). */
  hostEscapes?: string[];
}

export interface CatalogEntry {
  /** `repository:tag`, without a registry host. */
  ref: string;
  repository: string;
  tag: string;
  image: ImageFixture;
  expect?: FixtureExpectations;
}

/** Config fields of the OCI/Docker image config, as the rig writes them. */
export interface ContainerConfig {
  User?: string;
  ExposedPorts?: Record<string, Record<string, never>>;
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; Retries?: number };
}

export interface HistoryEntry {
  created_by: string;
  comment?: string;
  empty_layer?: boolean;
}
