/** The stores and collaborators every image operation works with, built once by the daemon. */
import type { ContentStore } from '../content/store.js';
import type { EventsService } from '../events/events.js';
import type { RegistryConfig } from '../registry/hosts.js';
import type { Platform } from '../registry/mediatypes.js';
import type { SnapshotStore } from '../snapshots/store.js';
import type { Leases } from './gc.js';
import type { ImageMetaStore } from './store.js';

/** Who uses an image right now; the containers layer answers it so `rmi` can refuse and GC can keep. */
export interface ImageUser {
  containerId: string;
  imageId: string;
  running: boolean;
}

export interface ImageDeps {
  content: ContentStore;
  snapshots: SnapshotStore;
  meta: ImageMetaStore;
  registry: RegistryConfig;
  events: EventsService;
  /** The engine's own platform: the default for pulls from multi-arch indexes. */
  platform: Platform;
  users: () => ImageUser[];
  /** Keys protected from GC while an operation is in flight. */
  leases: Leases;
}

/** The image config document (OCI image-spec config.md / docker image spec v1.x). */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  config?: ContainerConfigJson;
  container_config?: ContainerConfigJson;
  /** The container an image was committed from (dockerd's image config keeps it; inspect's `Container` below 1.44). */
  container?: string;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
  [key: string]: unknown;
}

export interface ContainerConfigJson {
  User?: string;
  ExposedPorts?: Record<string, object>;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  Healthcheck?: unknown;
  OnBuild?: string[] | null;
  Shell?: string[];
  [key: string]: unknown;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}
