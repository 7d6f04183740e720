// EngineControls for a host that runs the VM in its own process (the Electron app): everything goes straight to
// the controller. `berth dashboard` talks to `berth daemon` instead (cli/vm/remote-engine-controls.ts).
import { factoryResetTargets } from '../vm/factory-reset.js';
import type { VmEngineController } from '../vm/engine-controller.js';
import { sampleVmUsage } from '../vm/vm-usage.js';
import type { ManagedVm } from '../vm/vm-service.js';
import type { EngineControls } from './handlers/types.js';

export function inProcessVmControls(ctl: VmEngineController<ManagedVm>): Required<Omit<EngineControls, 'setStartAtLogin'>> {
  return {
    restartEngine: () => ctl.restart(),
    runningVmSettings: async () => {
      const s = ctl.service.status();
      return s.state === 'running' ? s.settings : undefined;
    },
    factoryReset: { deletes: factoryResetTargets(ctl.paths), run: () => ctl.factoryReset() },
    watchVm(listener) {
      listener(ctl.feed.view());
      ctl.feed.on('change', listener);
      return () => ctl.feed.off('change', listener);
    },
    vmUsage: () => sampleVmUsage(ctl.service.status()),
    engineLog: (lines) => ctl.service.engineLogTail(lines),
  };
}
