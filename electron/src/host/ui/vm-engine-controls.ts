// EngineControls for a host that runs the VM in its own process (the Electron app): everything goes straight to
// the controller. `berth dashboard` talks to `berth daemon` instead (cli/vm/remote-engine-controls.ts).
import { VmStartError } from '../vm/backend.js';
import { factoryResetTargets } from '../vm/factory-reset.js';
import type { VmEngineController } from '../vm/engine-controller.js';
import { sampleVmUsage } from '../vm/vm-usage.js';
import { VM_DAEMON_JSON_RESERVED } from '../vm/vm-daemon-json.js';
import { vmDaemonJsonFile } from '../vm/vm-settings.js';
import type { ManagedVm } from '../vm/vm-service.js';
import type { EngineControls } from './handlers/types.js';
import { vmFailure } from './vm-engine-status.js';

/** A VmStartError becomes the UI's error (reason and what to do); anything else goes as it is. */
const explained = (op: () => Promise<void>) => () =>
  op().catch((err: unknown) => {
    throw err instanceof VmStartError ? vmFailure(err.detail) : err;
  });

export function inProcessVmControls(ctl: VmEngineController<ManagedVm>): Required<Omit<EngineControls, 'setStartAtLogin' | 'setTheme'>> {
  return {
    restartEngine: explained(() => ctl.restart()),
    runningVmSettings: async () => {
      const s = ctl.service.status();
      return s.state === 'running' ? s.settings : undefined;
    },
    factoryReset: { deletes: factoryResetTargets(ctl.paths), run: explained(() => ctl.factoryReset()) },
    watchVm(listener) {
      listener(ctl.feed.view());
      ctl.feed.on('change', listener);
      return () => ctl.feed.off('change', listener);
    },
    vmUsage: () => sampleVmUsage(ctl.service.status()),
    engineLog: (lines) => ctl.service.engineLogTail(lines),
    vmDaemonJson: { path: vmDaemonJsonFile(ctl.paths.settings), reserved: VM_DAEMON_JSON_RESERVED },
  };
}
