// The ddClient bridge: one message protocol between a sandboxed extension frame and the host. The frame (its own
// origin, no token) posts FrameMessages to the dashboard window, which knows the extension only from the
// message's origin (the browser sets it; a page cannot forge it) and relays each call to the host over the
// contract (`extensions.call`, `extensions.exec`, `extensions.execStream`), naming the extension itself.

/** Where an exec runs: the docker CLI on the host, the first backend service's container, or a shipped binary. */
export type ExecScope = 'docker' | 'vm' | 'host';

export interface ExecSpec {
  scope: ExecScope;
  cmd: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/** Docker Desktop's ExecResult without its methods (the frame adds lines(), parseJsonLines(), parseJsonObject()). */
export interface ExecOutcome {
  cmd: string;
  code: number;
  killed?: boolean;
  signal?: string;
  stdout: string;
  stderr: string;
}

/** One chunk (or one line, with splitOutputLines) of a streaming exec, or its end. */
export type ExecChunk = { stdout: string } | { stderr: string } | { exit: number };

export type NavigateTarget =
  | 'viewContainers' | 'viewContainer' | 'viewContainerLogs' | 'viewContainerInspect' | 'viewContainerTerminal'
  | 'viewContainerStats' | 'viewImages' | 'viewImage' | 'viewVolumes' | 'viewVolume' | 'viewDevEnvironments';

/** Calls answered by the host (engine API, backend HTTP). */
export type HostCall =
  | { kind: 'docker.listContainers'; options?: Record<string, unknown> }
  | { kind: 'docker.listImages'; options?: Record<string, unknown> }
  | { kind: 'vm.request'; method: string; url: string; headers?: Record<string, string>; data?: unknown };

/** Calls the dashboard answers itself (its toasts, its navigation, the browser). */
export type DashboardCall =
  | { kind: 'ui.toast'; level: 'success' | 'warning' | 'error'; message: string }
  | { kind: 'ui.navigate'; target: NavigateTarget; args: string[] }
  | { kind: 'ui.openExternal'; url: string }
  | { kind: 'ui.showOpenDialog'; options: Record<string, unknown> };

export type ExtensionCall = HostCall | DashboardCall;

/** A rejection as ddClient callers see it: a message, plus the HTTP status or the exec's outcome when there is one. */
export interface BridgeError {
  name?: string;
  message: string;
  statusCode?: number;
  code?: number;
  stdout?: string;
  stderr?: string;
  signal?: string;
}

/** Frame → dashboard. `berthExt` marks our messages among whatever else a page may post. */
export type FrameMessage =
  | { berthExt: 1; id: number; op: 'call'; call: ExtensionCall }
  | { berthExt: 1; id: number; op: 'exec'; exec: ExecSpec }
  | { berthExt: 1; id: number; op: 'stream'; exec: ExecSpec; splitOutputLines?: boolean }
  | { berthExt: 1; id: number; op: 'close' };

/** Dashboard → frame. */
export type DashboardMessage =
  | { berthExt: 1; id: number; op: 'result'; ok: true; value: unknown }
  | { berthExt: 1; id: number; op: 'result'; ok: false; error: BridgeError }
  | { berthExt: 1; id: number; op: 'chunk'; chunk: ExecChunk };

/** What the extension's server hands the page before any of its scripts run (`/__berth/config.js`). */
export interface FrameConfig {
  /** The dashboard window's origin: the only one the frame talks to. */
  dashboardOrigin: string;
  image: string;
  platform: string;
  arch: string;
  hostname: string;
  hasBackend: boolean;
  hasVmService: boolean;
  hasHostBinaries: boolean;
}

export function isFrameMessage(v: unknown): v is FrameMessage {
  if (typeof v !== 'object' || v === null) return false;
  const m = v as Partial<FrameMessage>;
  if (m.berthExt !== 1 || typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return false;
  if (m.op === 'close') return true;
  if (m.op === 'call') return typeof (m as { call?: { kind?: unknown } }).call?.kind === 'string';
  if (m.op === 'exec' || m.op === 'stream') {
    const e = (m as { exec?: Partial<ExecSpec> }).exec;
    return !!e && typeof e.cmd === 'string' && Array.isArray(e.args) && e.args.every((a) => typeof a === 'string')
      && (e.scope === 'docker' || e.scope === 'vm' || e.scope === 'host');
  }
  return false;
}

/** Docker Desktop strips one pair of surrounding quotes from each argument (the docs pass '"{{json .}}"'). */
export function stripQuotes(arg: string): string {
  const m = /^(["'])([\s\S]*)\1$/.exec(arg);
  return m ? m[2]! : arg;
}
