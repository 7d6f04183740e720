import type { BerthPaths } from '../paths.js';
import { VmService } from './vm-service.js';
import { loadVmSettings } from './vm-settings.js';

/** What the Electron shell drives from its tray and its quit path (electron/src/main's EngineController). */
export interface VmEngineController {
  readonly service: VmService;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

/**
 * The VM as the desktop app runs it: settings are read at each start, so a change saved in the dashboard takes
 * effect on the next start or restart; operations run one at a time (a tray click during a start waits for it).
 */
export function vmEngineController(paths: BerthPaths, opts: { makeContextCurrent?: boolean } = {}): VmEngineController {
  const service = new VmService(paths, opts);
  let queue: Promise<void> = Promise.resolve();
  const serial = (op: () => Promise<void>): Promise<void> => {
    const next = queue.then(op, op);
    queue = next.catch(() => undefined);
    return next;
  };
  return {
    service,
    start: () =>
      serial(async () => {
        if (service.status().state !== 'running') await service.start(loadVmSettings(paths.settings));
      }),
    stop: () => serial(() => service.stop()),
    restart: () => serial(() => service.restart(loadVmSettings(paths.settings))),
  };
}
