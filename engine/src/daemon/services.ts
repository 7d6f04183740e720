import type { Logger } from '../base/log.js';
import { EventsService } from '../events/events.js';
import { ImageService } from '../images/service.js';
import type { ContainersBackend } from '../api/routers/containers.js';
import type { DaemonConfig } from './config.js';
import { createContainerService } from './containers-wiring.js';
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

export async function createServices(config: DaemonConfig, log: Logger): Promise<Services> {
  const events = new EventsService();
  const images = new ImageService({ dataRoot: config.dataRoot, registry: config, events });
  await images.init();
  const containers = await createContainerService(config, { images, events, log });
  return {
    events,
    containers,
    images,
    info: {
      containerCounts: async () => containers.counts(),
      imageCount: async () => images.count(),
      eventListeners: () => events.subscriberCount,
    },
    closers: [() => containers.close()],
  };
}
