import type { BerthPaths } from '../paths.js';
import { deleteFactoryData } from './factory-reset.js';
import { VmService, type ManagedVm } from './vm-service.js';
import { loadVmSettings } from './vm-settings.js';
import { VmStatusFeed } from './vm-status-feed.js';

/** What the Electron shell drives from its tray and its quit path, and what `berth daemon` serves. */
export interface VmEngineController<S extends ManagedVm = VmService> {
  readonly service: S;
  /** The VM's state, stage and progress as the dashboard shows it. */
  readonly feed: VmStatusFeed;
  readonly paths: BerthPaths;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stop, delete the VM's data, keys and logs (factoryResetTargets), boot a fresh VM. Settings stay. */
  factoryReset(): Promise<void>;
  /** The app quits but the VM keeps running (its containers too); the next start re-attaches to it. */
  detach(): Promise<void>;
}

/**
 * Settings are read at each start, so a change saved in the dashboard takes effect on the next start or restart;
 * operations run one at a time (a tray click during a start waits for it).
 */
export function controlVm<S extends ManagedVm>(service: S, paths: BerthPaths): VmEngineController<S> {
  const feed = new VmStatusFeed(service);
  let queue: Promise<void> = Promise.resolve();
  const serial = (op: () => Promise<void>): Promise<void> => {
    const next = queue.then(op, op);
    queue = next.catch(() => undefined);
    return next;
  };
  const settings = () => loadVmSettings(paths.settings);
  return {
    service,
    feed,
    paths,
    start: () =>
      serial(async () => {
        if (service.status().state !== 'running') await feed.during('start', () => service.start(settings()));
      }),
    stop: () => serial(() => service.stop()),
    restart: () =>
      serial(() =>
        feed.during('restart', async () => {
          await service.stop();
          await service.start(settings());
        }),
      ),
    factoryReset: () =>
      serial(() =>
        feed.during('reset', async () => {
          await service.stop();
          feed.step('Deleting images, containers, volumes and the VM keys');
          deleteFactoryData(paths);
          await service.start(settings());
        }),
      ),
    detach: () => serial(() => service.close({ stopVm: false })),
  };
}

/** The VM as the desktop app runs it. */
export function vmEngineController(paths: BerthPaths, opts: { makeContextCurrent?: boolean } = {}): VmEngineController {
  return controlVm(new VmService(paths, opts), paths);
}
