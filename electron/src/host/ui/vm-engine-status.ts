// The engine status the UI sees on a host that runs the Berth VM: the VM's own state (start stages, progress,
// failures) merged with the engine watcher's view of the socket. The watcher alone only sees "engine down" while
// the VM boots, and would keep backing off after the VM came up.
import type { ContractError } from '../../shared/errors.js';
import type { EngineStatus } from '../../shared/types.js';
import type { VmError } from '../vm/backend.js';
import { STAGE_TEXT } from '../vm/stage-text.js';
import type { VmView } from '../vm/vm-status-feed.js';
import type { EngineWatcher, WatcherListener } from './engine-watcher.js';
import type { EngineControls } from './handlers/types.js';

const RESTART = 'Restart the engine (Troubleshoot) to try again';

/** What to do about a VM failure, by its code. */
export function hintForVmError(error: VmError | undefined): string {
  switch (error?.code) {
    case 'no-qemu':
      return `Install QEMU (Debian/Ubuntu: apt-get install qemu-system-x86 qemu-utils; macOS: brew install qemu), then ${RESTART.toLowerCase()}.`;
    case 'image-missing':
      return `Build the VM image (vm-image/build.sh) or reinstall Berth, then ${RESTART.toLowerCase()}.`;
    case 'timeout':
      return `The VM was too slow${error.stage ? ` at "${STAGE_TEXT[error.stage]}"` : ''}: check the host log (Troubleshoot), give the VM more memory (Settings), and ${RESTART.toLowerCase()}.`;
    case 'crashed':
      return `The VM's last console lines are in the host log (Troubleshoot). ${RESTART}; if it keeps failing, reset to factory defaults.`;
    case 'port-taken':
      return `Another program holds a port Berth needs: close it, then ${RESTART.toLowerCase()}.`;
    default:
      return `Check the host log (Troubleshoot), then ${RESTART.toLowerCase()}.`;
  }
}

/** A failed restart or reset, as the UI shows it (toast: message and hint). */
export function vmFailure(error: VmError): ContractError {
  const where = error.stage ? ` (${STAGE_TEXT[error.stage]})` : '';
  return { code: error.code === 'timeout' ? 'timeout' : 'internal', message: `The Berth VM did not start${where}: ${error.message}`, hint: hintForVmError(error) };
}

/**
 * Pure merge. `engineReady` is false from the moment the VM reports running until the watcher's next connection
 * attempt settled, so the status goes starting → running without a flash of "stopped" in between.
 */
export function mergeVmStatus(engine: EngineStatus, vm: VmView | undefined, engineReady: boolean): EngineStatus {
  if (!vm) return engine;
  const { endpoint } = engine;
  const starting = (stage: string, progress?: number): EngineStatus => ({ state: 'starting', endpoint, stage, ...(progress !== undefined ? { progress } : {}) });
  switch (vm.state) {
    case 'running':
      if (engine.state === 'running' || engineReady) return engine;
      return starting('Connecting to the engine', 1);
    case 'starting':
      return starting(vm.stage ?? 'Starting the VM', vm.progress);
    case 'stopping':
    case 'stopped':
      if (vm.operation) return starting(vm.stage ?? 'Stopping the VM');
      return {
        state: 'stopped',
        endpoint,
        reason: vm.state === 'stopping' ? 'The Berth VM is stopping.' : 'The Berth VM is not running.',
        hint: vm.hint ?? 'Restart the engine (Troubleshoot) to start it, or run `berth start`.',
      };
    case 'error': {
      const e = vm.error;
      const where = e?.stage ? ` while ${STAGE_TEXT[e.stage]}` : '';
      return {
        state: 'error',
        endpoint,
        reason: `The Berth VM failed${where}: ${e?.message ?? 'unknown error'}`,
        hint: vm.hint ?? hintForVmError(e),
      };
    }
  }
}

/** Wraps the engine watcher so status() and `engine.status` events carry the merged status. */
export function withVmStatus(watcher: EngineWatcher, watchVm: EngineControls['watchVm']): EngineWatcher {
  if (!watchVm) return watcher;
  const listeners = new Set<WatcherListener>();
  let vm: VmView | undefined;
  let engineReady = true;
  let closed = false;
  const merged = () => mergeVmStatus(watcher.status(), vm, engineReady);
  let last = merged();
  const update = () => {
    const next = merged();
    if (closed || JSON.stringify(next) === JSON.stringify(last)) return;
    last = next;
    for (const l of listeners) l('engine.status', next);
  };
  const offEngine = watcher.subscribe((ch, value) => {
    if (ch === 'engine.status') update();
    else for (const l of listeners) l(ch, value);
  });
  const offVm = watchVm((view) => {
    const cameUp = view.state === 'running' && vm?.state !== 'running';
    vm = view;
    if (cameUp && watcher.status().state !== 'running') {
      engineReady = false;
      void watcher.retryNow().finally(() => {
        engineReady = true;
        update();
      });
    }
    update();
  });
  return {
    status: () => last,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    retryNow: () => watcher.retryNow(),
    close() {
      closed = true;
      offVm();
      offEngine();
      listeners.clear();
      watcher.close();
    },
  };
}
