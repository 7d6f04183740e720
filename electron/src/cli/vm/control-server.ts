// What `berth daemon` answers on its control socket: the CLI (start, stop, restart, status) and `berth dashboard`
// (watch, reset, usage, logs) drive the one VM controller of this host process through it.
import { VmStartError, type VmError } from '../../host/vm/backend.js';
import type { VmEngineController } from '../../host/vm/engine-controller.js';
import { factoryResetTargets } from '../../host/vm/factory-reset.js';
import { vmFiles } from '../../host/vm/vm-files.js';
import type { ManagedVm } from '../../host/vm/vm-service.js';
import { loadVmSettings, vmDaemonJsonFile } from '../../host/vm/vm-settings.js';
import { sampleVmUsage } from '../../host/vm/vm-usage.js';
import type { ControlHandler, Reply } from './control.js';

export interface ControlServerHooks {
  /** After `stop` answered: the host process exits. */
  onStopped(): void;
}

const toVmError = (err: unknown): VmError => (err instanceof VmStartError ? err.detail : { code: 'failed', message: err instanceof Error ? err.message : String(err) });

export function controlHandler(ctl: VmEngineController<ManagedVm>, hooks: ControlServerHooks): ControlHandler {
  const { service, paths } = ctl;

  /** Runs a start-like operation, streaming its stage progress to the client that asked, then `done`. */
  const operation = async (op: () => Promise<void>, reply: Reply, end: () => void) => {
    const progress = (p: object) => reply({ type: 'progress', ...p });
    service.on('progress', progress);
    try {
      await op();
      reply({ type: 'done', ok: true, status: service.status() });
    } catch (err) {
      reply({ type: 'done', ok: false, error: toVmError(err) });
    } finally {
      service.off('progress', progress);
      end();
    }
  };

  return (req, reply, end, onClose) => {
    switch (req.op) {
      case 'status':
        reply({
          type: 'status',
          status: service.status(),
          hostPid: process.pid,
          restartReasons: service.restartReasons(loadVmSettings(paths.settings)),
          factoryReset: factoryResetTargets(paths),
          hostLog: vmFiles(paths).hostLog,
          daemonJson: vmDaemonJsonFile(paths.settings),
        });
        return end();
      case 'start':
        return void operation(() => ctl.start(), reply, end);
      case 'restart':
        return void operation(() => ctl.restart(), reply, end);
      case 'reset':
        return void operation(() => ctl.factoryReset(), reply, end);
      case 'stop':
        void ctl.stop().then(
          () => reply({ type: 'done', ok: true }),
          (err: unknown) => reply({ type: 'done', ok: false, error: toVmError(err) }),
        ).finally(() => {
          end();
          hooks.onStopped();
        });
        return;
      case 'watch': {
        const send = (view: object) => reply({ type: 'vm', view });
        send(ctl.feed.view());
        ctl.feed.on('change', send);
        onClose(() => ctl.feed.off('change', send));
        return;
      }
      case 'usage':
        void sampleVmUsage(service.status()).then((usage) => {
          reply({ type: 'usage', usage });
          end();
        });
        return;
      case 'logs':
        void service.engineLogTail(Number(req.lines) || 200).then(
          (lines) => reply({ type: 'logs', lines }),
          (err: Error) => reply({ type: 'error', message: err.message }),
        ).finally(end);
        return;
      default:
        reply({ type: 'error', message: 'unknown op' });
        end();
    }
  };
}
