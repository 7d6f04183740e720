// The one typed contract between the UI and the host. Electron IPC and the browser-mode WebSocket both carry it
// (see wire.ts); main, preload, the renderer and the host's session all type-check against these maps.
import type {
  ContainerDetail, ContainerRow, DaemonJsonCheck, Diagnostics, EngineInfo, EngineStatus, FileEntry, HostDirListing, HostSettings,
  ImageDetail, ImageRow, LogLine, NetworkRow, ProgressEvent, RegistriesView, ResetPlan, Resource, RunSpec, StatsSample, VmUsage, VolumeRow,
} from './types.js';
import type { SettingsChange } from './settings-rules.js';
import type { ExecChunk, ExecOutcome, ExecSpec, HostCall } from './extension-bridge.js';
import type { CatalogResult, ExtensionsOverview } from './extension-types.js';

export interface WorkDone {
  kind: 'pull' | 'push';
  ref: string;
  ok: boolean;
  /** Why it failed, in the engine's words. */
  message?: string;
}

export type ContainerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause' | 'kill';

/** One call, one answer. */
export interface RequestChannels {
  'engine.status': { args: void; result: EngineStatus };
  'engine.info': { args: void; result: EngineInfo };
  'engine.restart': { args: void; result: void };
  'images.list': { args: void; result: ImageRow[] };
  'images.inspect': { args: { id: string }; result: ImageDetail };
  'images.remove': { args: { id: string; force?: boolean }; result: void };
  'images.tag': { args: { id: string; repo: string; tag: string }; result: void };
  /** `dangling: false` prunes every image no container uses; `removed` names what went (tags, else short IDs). */
  'images.prune': { args: { dangling: boolean }; result: { deleted: number; spaceReclaimed: number; removed: string[] } };
  'containers.list': { args: void; result: ContainerRow[] };
  /** The rows of just these containers (an id the engine no longer has is absent): the list patches itself on events. */
  'containers.rows': { args: { ids: string[] }; result: ContainerRow[] };
  'containers.inspect': { args: { id: string }; result: ContainerDetail };
  'containers.action': { args: { id: string; action: ContainerAction }; result: void };
  'containers.remove': { args: { id: string; force?: boolean; volumes?: boolean }; result: void };
  'containers.run': { args: RunSpec; result: { id: string; warnings: string[] } };
  'containers.files': { args: { id: string; path: string }; result: FileEntry[] };
  'containers.readFile': { args: { id: string; path: string }; result: { name: string; base64: string; size: number } };
  'volumes.list': { args: void; result: VolumeRow[] };
  'volumes.create': { args: { name?: string; labels?: Record<string, string> }; result: VolumeRow };
  'volumes.remove': { args: { name: string; force?: boolean }; result: void };
  /** `all: false` prunes only anonymous unused volumes (dockerd ≥ 23's default); `removed` names them. */
  'volumes.prune': { args: { all: boolean }; result: { deleted: number; spaceReclaimed: number; removed: string[] } };
  /** `path` is inside the volume (`/` is its root); read through a helper container that is never started. */
  'volumes.files': { args: { name: string; path: string }; result: FileEntry[] };
  'volumes.readFile': { args: { name: string; path: string }; result: { name: string; base64: string; size: number } };
  /** Bytes used per volume name (GET /system/df?type=volume); volumes the engine did not measure are absent. */
  'volumes.usage': { args: void; result: Record<string, number> };
  'networks.list': { args: void; result: NetworkRow[] };
  'networks.inspect': { args: { id: string }; result: unknown };
  'networks.create': { args: { name: string; driver?: string; subnet?: string; internal?: boolean }; result: { id: string } };
  'networks.remove': { args: { id: string }; result: void };
  'settings.get': { args: void; result: HostSettings };
  'settings.checkDaemonJson': { args: { text: string }; result: DaemonJsonCheck };
  'settings.saveDaemonJson': { args: { text: string }; result: { restartNeeded: boolean } };
  /** Invalid changes fail with code 'invalid' and one sentence per field (the rules are in settings-rules.ts). */
  'settings.save': { args: SettingsChange; result: HostSettings };
  /**
   * The dashboard's theme (the dashboard keeps it), sent at start and on every change: the Electron shell makes it
   * the native theme, so extension views' `prefers-color-scheme` follows it (a <webview> guest does not inherit the
   * page's `color-scheme`); browser mode tells its iframes itself and ignores this.
   */
  'settings.theme': { args: { theme: 'light' | 'dark' | 'system' }; result: void };
  'registries.list': { args: void; result: RegistriesView };
  /** Checked against the registry through the engine (POST /auth) before anything is stored. */
  'registries.signIn': { args: { server: string; username: string; password: string }; result: RegistriesView };
  'registries.signOut': { args: { server: string }; result: RegistriesView };
  /** With the user's consent: plain-text logins of ~/.docker/config.json into the keychain. */
  'registries.migrate': { args: void; result: RegistriesView };
  /** Settings → "Use the berth context": on makes it current, off puts back the context used before. */
  'registries.useContext': { args: { on: boolean }; result: RegistriesView };
  /** Settings → links in /usr/local/bin: on links docker and docker-credential-berth there, off removes Berth's links. */
  'registries.systemLinks': { args: { on: boolean }; result: RegistriesView };
  'troubleshoot.diagnostics': { args: void; result: Diagnostics };
  /** What a factory reset would delete; null when this host cannot reset. */
  'troubleshoot.resetPlan': { args: void; result: ResetPlan | null };
  'troubleshoot.reset': { args: void; result: void };
  'troubleshoot.logs': { args: { source: 'host' | 'engine'; tail: number }; result: { lines: string[] } };
  'extensions.list': { args: void; result: ExtensionsOverview };
  'extensions.remove': { args: { id: string }; result: void };
  /**
   * The extension UI's URL on its own origin: a loopback port in browser mode (its server starts on first open); in
   * the Electron shell `berth-extension://…` with `partition`, its own session, for the <webview> showing it.
   * `debug`: `berth extension dev debug` is on (the shell opens DevTools with the tab).
   */
  'extensions.open': { args: { id: string }; result: { url: string; origin: string; debug: boolean; partition?: string } };
  'extensions.catalog': { args: void; result: CatalogResult };
  /**
   * Settings → "Show extension containers": sets the engine's setting when `show` is given and answers it; null when
   * the engine has no such setting (not berthd), and the dashboard then filters only its own list.
   */
  'extensions.showContainers': { args: { show?: boolean }; result: { show: boolean | null } };
  /** A ddClient call of extension `ext` (the dashboard names it from the frame's origin, never from the frame). */
  'extensions.call': { args: { ext: string; call: HostCall }; result: unknown };
  'extensions.exec': { args: { ext: string; exec: ExecSpec }; result: ExecOutcome };
  /**
   * A folder of the user's machine (default: home) for the dashboard's own open dialog, which answers an extension's
   * `desktopUI.dialog.showOpenDialog` where there is no native dialog; the extension gets only the picked paths.
   */
  'host.listDir': { args: { path?: string }; result: HostDirListing };
}

/** A call that answers with many messages; `input` is what the UI may send into it while it runs. */
export interface StreamChannels {
  'images.pull': { args: { ref: string }; data: ProgressEvent; input: never };
  'images.push': { args: { ref: string }; data: ProgressEvent; input: never };
  'containers.logs': { args: { id: string; tail?: number; timestamps?: boolean; follow?: boolean }; data: LogLine[]; input: never };
  'containers.stats': { args: { id: string }; data: StatsSample; input: never };
  /** The VM's CPU and memory every ~2 s while open (open it only while it is on screen); null: no VM running. */
  'engine.vmUsage': { args: void; data: VmUsage | null; input: never };
  'containers.exec': {
    args: { id: string; cmd: string[]; cols: number; rows: number };
    /** Terminal output, base64 (a chunk may end inside a UTF-8 sequence). */
    data: { out: string };
    input: { data: string } | { resize: { cols: number; rows: number } };
  };
  /** Install progress, one line per message, as `docker extension install` prints it. */
  'extensions.install': { args: { image: string }; data: string; input: never };
  /** A streaming ddClient exec: closing it sends SIGTERM to the process. */
  'extensions.execStream': { args: { ext: string; exec: ExecSpec; splitOutputLines?: boolean }; data: ExecChunk; input: never };
}

/** Pushed by the host without being asked. */
export interface EventChannels {
  /** Something of this kind changed in the engine; stores refetch (debounced). */
  changed: { resource: Resource; action: string; id?: string };
  'engine.status': EngineStatus;
  /** Long work started from the dashboard ended (the app notifies, the window may be hidden by then). */
  work: WorkDone;
}

export type RequestChannel = keyof RequestChannels;
export type StreamChannel = keyof StreamChannels;
export type EventChannel = keyof EventChannels;
export type ArgsOf<C extends RequestChannel> = RequestChannels[C]['args'];
export type ResultOf<C extends RequestChannel> = RequestChannels[C]['result'];
export type StreamArgsOf<C extends StreamChannel> = StreamChannels[C]['args'];
export type StreamDataOf<C extends StreamChannel> = StreamChannels[C]['data'];
export type StreamInputOf<C extends StreamChannel> = StreamChannels[C]['input'];

/** Every request channel, for the host to check an incoming name against. */
export const REQUEST_CHANNELS: readonly RequestChannel[] = [
  'engine.status', 'engine.info', 'engine.restart',
  'images.list', 'images.inspect', 'images.remove', 'images.tag', 'images.prune',
  'containers.list', 'containers.rows', 'containers.inspect', 'containers.action', 'containers.remove', 'containers.run',
  'containers.files', 'containers.readFile',
  'volumes.list', 'volumes.create', 'volumes.remove', 'volumes.prune', 'volumes.files',
  'volumes.readFile', 'volumes.usage',
  'networks.list', 'networks.inspect', 'networks.create', 'networks.remove',
  'settings.get', 'settings.checkDaemonJson', 'settings.saveDaemonJson', 'settings.save', 'settings.theme',
  'registries.list', 'registries.signIn', 'registries.signOut', 'registries.migrate', 'registries.useContext', 'registries.systemLinks',
  'troubleshoot.diagnostics', 'troubleshoot.logs', 'troubleshoot.resetPlan', 'troubleshoot.reset',
  'extensions.list', 'extensions.remove', 'extensions.open', 'extensions.catalog', 'extensions.call', 'extensions.exec',
  'extensions.showContainers', 'host.listDir',
];
export const STREAM_CHANNELS: readonly StreamChannel[] = [
  'images.pull', 'images.push', 'containers.logs', 'containers.stats', 'containers.exec', 'engine.vmUsage',
  'extensions.install', 'extensions.execStream',
];
