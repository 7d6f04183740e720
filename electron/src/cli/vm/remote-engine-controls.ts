// EngineControls for `berth dashboard` in browser mode: the VM belongs to `berth daemon`, reached over its control
// socket. The in-process kind (the Electron app) is host/ui/vm-engine-controls.ts; both look the same to the UI.
import type { ContractError } from '../../shared/errors.js';
import type { VmError, VmSettings, VmStatus } from '../../host/vm/backend.js';
import type { VmView } from '../../host/vm/vm-status-feed.js';
import type { VmUsageSample } from '../../host/vm/vm-usage.js';
import type { EngineControls } from '../../host/ui/handlers/types.js';
import { vmFailure } from '../../host/ui/vm-engine-status.js';
import path from 'node:path';
import { berthPaths, type BerthPaths } from '../../host/paths.js';
import { ControlClient, controlSocket, type ControlMessage, type ControlRequest } from './control.js';
import { ensureDaemon } from './host-process.js';
import { VM_DAEMON_JSON_RESERVED } from '../../host/vm/vm-daemon-json.js';
import { vmDaemonJsonFile } from '../../host/vm/vm-settings.js';

export const HOST_GONE_HINT = 'The Berth host process is not running: start Berth with `berth start` (or scripts/start.sh).';

export interface RemoteVmControls {
  controls: Required<Omit<EngineControls, 'setStartAtLogin' | 'setTheme'>>;
  /** `berth daemon`'s log file, for Troubleshoot's "Host log". */
  hostLog: string;
  /**
   * Start/stop/restart for the Electron app's tray when it drives this install's daemon: start brings a daemon up
   * if none runs (as `berth start` does), stop stops the VM and the daemon (as `berth stop`).
   */
  tray?: { start(): Promise<void>; stop(): Promise<void>; restart(): Promise<void> };
}

const hostGone = (what: string): ContractError => ({ code: 'engine_down', message: `Cannot ${what}: the Berth host process does not answer.`, hint: HOST_GONE_HINT });

/** Connects to the daemon's control socket; undefined when nothing answers there. */
export async function connectRemoteVmControls(socketPath: string, opts: { maxBackoffMs?: number; paths?: BerthPaths } = {}): Promise<RemoteVmControls | undefined> {
  const ask = async (req: ControlRequest, what: string): Promise<ControlMessage[]> => {
    try {
      return await ControlClient.request(socketPath, req);
    } catch {
      throw hostGone(what);
    }
  };
  const first = (await ControlClient.request(socketPath, { op: 'status' }).catch(() => []))[0];
  if (first?.type !== 'status') return undefined;

  const operation = (op: 'start' | 'stop' | 'restart' | 'reset', what: string) => async () => {
    const done = (await ask({ op }, what)).find((m) => m.type === 'done');
    if (!done) throw hostGone(what);
    if (!done.ok) throw vmFailure(done.error as VmError);
  };

  const controls: RemoteVmControls['controls'] = {
    restartEngine: operation('restart', 'restart the engine'),
    factoryReset: { deletes: (first.factoryReset as string[] | undefined) ?? [], run: operation('reset', 'reset Berth') },
    async runningVmSettings() {
      const [msg] = await ControlClient.request(socketPath, { op: 'status' }).catch(() => []);
      const status = msg?.status as VmStatus | undefined;
      return status?.state === 'running' ? (status.settings as VmSettings) : undefined;
    },
    async vmUsage() {
      const [msg] = await ControlClient.request(socketPath, { op: 'usage' }).catch(() => []);
      return (msg?.usage as VmUsageSample | null | undefined) ?? null;
    },
    async engineLog(lines) {
      const [msg] = await ask({ op: 'logs', lines }, 'read the engine log');
      if (msg?.type !== 'logs') throw new Error(String(msg?.message ?? 'no answer'));
      return msg.lines as string[];
    },
    vmDaemonJson: { path: String(first.daemonJson ?? vmDaemonJsonFile(opts.paths?.settings ?? berthPaths().settings)), reserved: VM_DAEMON_JSON_RESERVED },
    watchVm(listener) {
      // One `watch` connection while the UI host lives; if the daemon goes away, say so and look for it again
      // with backoff (`berth start` brings a new one).
      let closed = false;
      let sock: Awaited<ReturnType<typeof ControlClient.open>> | undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let backoff = 250;
      const again = () => {
        sock = undefined;
        if (closed) return;
        listener({ state: 'stopped', hint: HOST_GONE_HINT });
        timer = setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, opts.maxBackoffMs ?? 5000);
      };
      const connect = () => {
        timer = undefined;
        ControlClient.open(socketPath, { op: 'watch' }, (msg) => {
          if (msg.type !== 'vm') return;
          backoff = 250;
          listener(msg.view as VmView);
        }, again).then((s) => {
          if (closed) s.destroy();
          else sock = s;
        }, again);
      };
      connect();
      return () => {
        closed = true;
        if (timer) clearTimeout(timer);
        sock?.destroy();
      };
    },
  };
  const { paths } = opts;
  const tray = paths
    ? {
        start: async () => { await ensureDaemon(paths); await operation('start', 'start the engine')(); },
        stop: operation('stop', 'stop the engine'),
        restart: operation('restart', 'restart the engine'),
      }
    : undefined;
  return { controls, hostLog: String(first.hostLog ?? ''), ...(tray ? { tray } : {}) };
}

/**
 * The VM's controls when the engine is the Berth VM's: asked for (--vm-control), or the engine is this install's
 * host socket and `berth daemon` answers on the control socket beside it.
 */
export async function vmControlsFor(engine: string, vmControl: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<RemoteVmControls | undefined> {
  if (vmControl) {
    const vm = await connectRemoteVmControls(path.resolve(vmControl));
    if (!vm) throw new Error(`nothing answers on the VM control socket ${vmControl} (is \`berth start\` running?)`);
    return vm;
  }
  const paths = berthPaths(env);
  if (engine !== `unix://${paths.dockerSocket}`) return undefined;
  return connectRemoteVmControls(controlSocket(paths), { paths });
}
