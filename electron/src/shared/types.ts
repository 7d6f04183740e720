import type { SettingsLimits } from './settings-rules.js';

// The shapes the UI sees. The host maps the engine's Docker API JSON to these, so the renderer never parses
// dockerd's wire format and the same views work against berthd or any other Docker-API engine.

export type Resource = 'containers' | 'images' | 'volumes' | 'networks' | 'engine';

export type EngineState = 'starting' | 'running' | 'stopped' | 'error';

export interface EngineStatus {
  state: EngineState;
  /** The engine address the host talks to (`unix:///…`). */
  endpoint: string;
  /** Why it is stopped or in error, in the words of whoever failed. */
  reason?: string;
  /** What the user can do about it. */
  hint?: string;
  /** While starting: which stage, and 0..1 when known. */
  stage?: string;
  progress?: number;
  version?: string;
  apiVersion?: string;
}

export interface EngineInfo {
  name: string;
  serverVersion: string;
  apiVersion: string;
  os: string;
  arch: string;
  kernel: string;
  cpus: number;
  memoryBytes: number;
  storageDriver: string;
  dataRoot: string;
  containers: { total: number; running: number; paused: number; stopped: number };
  images: number;
}

export interface ImageRow {
  id: string;
  /** `repo:tag` names; empty for a dangling image. */
  tags: string[];
  digests: string[];
  size: number;
  /** Unix seconds. */
  created: number;
  /** Containers using it; -1 when the engine did not count. */
  containers: number;
}

export interface ImageHistoryRow {
  id: string;
  created: number;
  createdBy: string;
  size: number;
  comment: string;
}

export interface ImageDetail {
  id: string;
  tags: string[];
  digests: string[];
  size: number;
  created: string;
  os: string;
  architecture: string;
  variant?: string;
  cmd: string[];
  entrypoint: string[];
  env: string[];
  workingDir: string;
  user: string;
  exposedPorts: string[];
  labels: Record<string, string>;
  layers: string[];
  history: ImageHistoryRow[];
  raw: unknown;
}

/** One line of a pull or push progress stream (dockerd's JSON message). */
export interface ProgressEvent {
  id?: string;
  status?: string;
  progress?: string;
  current?: number;
  total?: number;
  error?: string;
}

export interface PortMapping {
  privatePort: number;
  publicPort?: number;
  ip?: string;
  type: string;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerRow {
  id: string;
  name: string;
  image: string;
  command: string;
  created: number;
  state: ContainerState;
  status: string;
  ports: PortMapping[];
  labels: Record<string, string>;
  /** From the `com.docker.compose.project` label. */
  project?: string;
  /** From `com.docker.compose.service`. */
  service?: string;
}

export interface ContainerDetail {
  id: string;
  name: string;
  image: string;
  imageId: string;
  state: ContainerState;
  startedAt?: string;
  finishedAt?: string;
  exitCode?: number;
  error?: string;
  tty: boolean;
  cmd: string[];
  env: string[];
  mounts: { type: string; source: string; destination: string; readOnly: boolean }[];
  ports: PortMapping[];
  networks: { name: string; ipAddress: string }[];
  restartPolicy: string;
  raw: unknown;
}

export interface RunSpec {
  image: string;
  name?: string;
  /** `[hostPort:]containerPort[/proto]` entries. */
  ports: string[];
  /** `KEY=value` entries. */
  env: string[];
  /** `source:/target[:ro]` entries (volume name or absolute host path). */
  volumes: string[];
  /** Split like a shell would split it; empty means the image's default. */
  command: string[];
  autoRemove?: boolean;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** RFC3339Nano when timestamps were asked for. */
  timestamp?: string;
  text: string;
}

export interface StatsSample {
  /** Milliseconds since epoch of the sample. */
  at: number;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
}

export interface FileEntry {
  name: string;
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mode: number;
  mtime: number;
  linkTarget?: string;
}

/** A folder of the user's machine, as the dashboard's open dialog shows it. */
export interface HostDirListing {
  /** The directory listed, absolute and normalised (a file's path lists its folder). */
  path: string;
  /** Its folder, or null at the root. */
  parent: string | null;
  /** Folders first, then by name; a symlink is described by what it points at, with `linkTarget`. */
  entries: FileEntry[];
}

export interface VolumeRow {
  name: string;
  driver: string;
  mountpoint: string;
  created?: string;
  labels: Record<string, string>;
  /** Bytes, -1 when unknown (dockerd only counts in /system/df). */
  size: number;
  /** Names of containers that mount it. */
  usedBy: string[];
}

export interface NetworkRow {
  id: string;
  name: string;
  driver: string;
  scope: string;
  subnet?: string;
  gateway?: string;
  internal: boolean;
  created?: string;
  containers: number;
}

export interface DaemonJsonCheck {
  ok: boolean;
  errors: string[];
}

/** Berth's own settings (the VM's size, shares, registries, start at login), when this host keeps them. */
export interface BerthSettings {
  /** The settings file, shown so a user knows what they edit. */
  path: string;
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  sharedFolders: string[];
  registryMirrors: string[];
  insecureRegistries: string[];
  startAtLogin: boolean;
  /** Quitting the app leaves the VM (and its containers) running. */
  keepEngineOnQuit: boolean;
  limits: SettingsLimits;
  /** Saved changes the running VM does not have yet ("CPUs 2 → 4"); empty when none. */
  restartReasons: string[];
  /** Whether this host can restart the VM (the app can; a bare dashboard cannot). */
  canRestart: boolean;
}

export interface HostSettings {
  /** Where the engine lives; read-only for the UI. */
  endpoint: string;
  /** The engine's daemon.json text, when the host knows its file. */
  daemonJson?: string;
  daemonJsonPath?: string;
  berth?: BerthSettings;
}

export interface Diagnostics {
  createdAt: string;
  text: string;
}

/** What a factory reset deletes, for the confirmation; absent when this host cannot reset. */
export interface ResetPlan {
  deletes: string[];
}

/**
 * The Berth VM's use of this computer, as the host sees its QEMU process; the `engine.vmUsage` stream sends null
 * while no VM runs (and once, then ends, on hosts without a VM).
 */
export interface VmUsage {
  /** Percent of one host CPU (200 = two cores busy); absent on the first reading or where the host cannot tell. */
  cpuPercent?: number;
  /** Resident memory of the VM process. */
  memoryBytes?: number;
  /** What the VM was given. */
  cpus: number;
  memoryLimitBytes: number;
  /** kvm, hvf, whpx, or tcg (emulation: slow). */
  accel: string;
}

/** A registry Berth keeps a login for (the secret stays in the OS keychain and never reaches the UI). */
export interface RegistryLogin {
  server: string;
  username: string;
}

/** Settings → Registries. */
export interface RegistriesView {
  logins: RegistryLogin[];
  /** Logins in plain text in ~/.docker/config.json, waiting for the user's consent to move them to the keychain. */
  plaintext: string[];
  /** The docker context in use, and whether Berth makes its own current ("Use the berth context"). */
  context?: { current: string; useBerth: boolean };
  /**
   * Settings → links in /usr/local/bin (as `berth host-tools link-system`): whether Berth's links are there, whether
   * this user may make them, and (after a change) the files left alone because they are not Berth's.
   */
  systemLinks?: { dir: string; on: boolean; writable: boolean; left: string[] };
}
