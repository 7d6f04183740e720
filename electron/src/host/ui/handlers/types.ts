// The host side of the contract: one function per request channel, one opener per stream channel.
import type { BerthPaths } from '../../paths.js';
import type { RegistryCredentials } from '../../credentials/registry-credentials.js';
import type { DockerConfigSetup } from '../../toolchain/docker-config-setup.js';
import type { ExtensionsHostOptions } from '../../extensions/host.js';
import type { VmSettings } from '../../vm/backend.js';
import type { VmView } from '../../vm/vm-status-feed.js';
import type { VmUsageSample } from '../../vm/vm-usage.js';
import type {
  ArgsOf, RequestChannel, ResultOf, StreamArgsOf, StreamChannel, StreamDataOf, StreamInputOf,
} from '../../../shared/contract.js';

export type RequestHandlers = { [C in RequestChannel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> };

export interface StreamSink<D> {
  data(value: D): void;
  /** Ends the stream; an error is mapped to a ContractError for the UI. */
  end(error?: unknown): void;
}

export interface StreamControl<I> {
  input?(value: I): void;
  /** The UI closed the stream (or went away): release the engine connection. */
  close(): void;
}

export type StreamOpener<C extends StreamChannel> = (
  args: StreamArgsOf<C>,
  sink: StreamSink<StreamDataOf<C>>,
) => Promise<StreamControl<StreamInputOf<C>>>;

export type StreamHandlers = { [C in StreamChannel]: StreamOpener<C> };

/**
 * Things only some hosts can do (a host that runs the Berth VM can restart and reset it; a bare dashboard cannot).
 * Two implementations: in the host's own process (host/ui/vm-engine-controls.ts, the Electron app) and over
 * `berth daemon`'s control socket (cli/vm/remote-engine-controls.ts, browser mode).
 */
export interface EngineControls {
  /** Resolves once the engine answers again (or rejects with why it did not start). */
  restartEngine?(): Promise<void>;
  /** The settings the running VM was started with: saved settings that differ need a restart. */
  runningVmSettings?(): Promise<VmSettings | undefined>;
  /** Factory reset: the paths it deletes (shown before asking), and doing it. */
  factoryReset?: { deletes: string[]; run(): Promise<void> };
  /** Applies "start at login" right away (the Electron shell does; browser mode only stores it). */
  setStartAtLogin?(on: boolean): void;
  /** Applies the dashboard's theme to the app (the Electron shell: `nativeTheme.themeSource`). */
  setTheme?(theme: 'light' | 'dark' | 'system'): void;
  /** Follows the VM (state, start stage, progress, failure): called at once and on every change; returns the unsubscribe. */
  watchVm?(listener: (view: VmView) => void): () => void;
  /** One reading of the VM process's CPU time and memory; null while no VM runs. */
  vmUsage?(): Promise<VmUsageSample | null>;
  /** The engine log's last lines, from wherever the engine runs (berthd's log inside the VM). */
  engineLog?(lines: number): Promise<string[]>;
  /**
   * The VM engine's daemon.json on the host (handed to berthd at the VM's next start), and the keys Berth sets
   * itself there (key → where to change it instead): a file setting one of them would keep the engine from starting.
   */
  vmDaemonJson?: { path: string; reserved: Record<string, string> };
}

/** The user's registry logins and docker config, for Settings → Registries and authenticated pulls/pushes. */
export interface HostRegistries {
  credentials: RegistryCredentials;
  dockerConfig: DockerConfigSetup;
  /** settings.json, where "Use the berth context" is kept. */
  settingsPath: string;
  /** The optional system links (host/toolchain/system-links.ts); absent where this host does not offer them. */
  systemLinks?: { paths: BerthPaths; dir: string; env?: NodeJS.ProcessEnv };
}

export interface UiHostOptions {
  /** `unix:///path/to/socket` (or tcp://, npipe://). */
  engine: string;
  /** The engine's daemon.json, for the Settings view; absent means "not known to this host". */
  daemonJsonPath?: string;
  engineLogPath?: string;
  hostLogPath?: string;
  /** Berth's settings file (~/.berth/settings.json); absent means this host keeps no settings of its own. */
  settingsPath?: string;
  controls?: EngineControls;
  /** Absent: this dashboard manages no registry logins (Settings → Registries says so). */
  registries?: HostRegistries;
  /** Manage Docker extensions installed under this home (absent: the Extensions view says it is unavailable). */
  extensions?: ExtensionsHostOptions;
}
