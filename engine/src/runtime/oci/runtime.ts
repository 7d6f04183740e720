import type { LinuxResources } from '../spec/types.js';

/** `runtime state <id>` output (runtime.md "State"). */
export interface RuntimeState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'paused' | 'stopped';
  pid: number;
  bundle: string;
  created?: string;
}

export interface CreateArgs {
  bundle: string;
  pidFile: string;
  /** Unix socket the runtime sends the pty master to (`process.terminal: true`). */
  consoleSocket?: string;
}

export interface ExecArgs {
  /** Path of a process.json (config.md "process"). */
  processFile: string;
  pidFile: string;
  consoleSocket?: string;
  /** Return once the process runs; the caller (the monitor, a subreaper) waits for it. */
  detach?: boolean;
}

/**
 * One OCI runtime binary (runc or crun). Commands that only change state run here; `create` and `exec` are run
 * by the container monitor (it must own the container's stdio), which asks for their argv.
 */
export interface OciRuntime {
  readonly name: string;
  readonly binary: string;
  /** The runtime's state directory (`--root`). */
  readonly root: string;
  /** Argv for `create`; `logFile` receives the runtime's JSON log, where failures are read from. */
  createArgv(id: string, args: CreateArgs, logFile: string): string[];
  /** Argv for `run --detach`: create and start in one runtime process, returning once the process runs. */
  runArgv(id: string, args: CreateArgs, logFile: string): string[];
  execArgv(id: string, args: ExecArgs, logFile: string): string[];
  start(id: string): Promise<void>;
  state(id: string): Promise<RuntimeState>;
  /** Names (`TERM`, `SIGKILL`) or numbers. `all` signals every process in the container. */
  kill(id: string, signal: string | number, opts?: { all?: boolean }): Promise<void>;
  delete(id: string, opts?: { force?: boolean }): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  update(id: string, resources: LinuxResources): Promise<void>;
  /** Host pids of the container's processes. */
  ps(id: string): Promise<number[]>;
  list(): Promise<RuntimeState[]>;
}
