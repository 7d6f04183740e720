import { NotFound } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { EventsService } from '../events/events.js';
import { ImageService } from '../images/service.js';
import type { ContainersBackend } from '../api/routers/containers.js';
import type { DaemonConfig } from './config.js';
import type { InfoSources } from './system-info.js';

/** Every long-lived service of the engine, built once at start-up; the API routers get what they need from here. */
export interface Services {
  events: EventsService;
  containers: ContainersBackend;
  images: ImageService;
  info: InfoSources;
  /** Called on shutdown, last registered first. */
  closers: Array<() => Promise<void> | void>;
}

/** Until the containers layer lands, the engine has no containers; lookups answer dockerd's 404. */
const noContainers: ContainersBackend = {
  list: async () => [],
  inspect: async (idOrName) => {
    throw new NotFound(`No such container: ${idOrName}`);
  },
};

export async function createServices(config: DaemonConfig, _log: Logger): Promise<Services> {
  const events = new EventsService();
  const images = new ImageService({ dataRoot: config.dataRoot, registry: config, events });
  await images.init();
  return {
    events,
    containers: noContainers,
    images,
    info: {
      containerCounts: async () => ({ total: 0, running: 0, paused: 0, stopped: 0 }),
      imageCount: async () => images.count(),
      eventListeners: () => events.subscriberCount,
    },
    closers: [],
  };
}
