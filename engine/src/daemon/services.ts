import { NotFound } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { EventsService } from '../events/events.js';
import type { ContainersBackend } from '../api/routers/containers.js';
import type { DaemonConfig } from './config.js';
import type { InfoSources } from './system-info.js';

/** Every long-lived service of the engine, built once at start-up; the API routers get what they need from here. */
export interface Services {
  events: EventsService;
  containers: ContainersBackend;
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

export async function createServices(_config: DaemonConfig, _log: Logger): Promise<Services> {
  const events = new EventsService();
  return {
    events,
    containers: noContainers,
    info: {
      containerCounts: async () => ({ total: 0, running: 0, paused: 0, stopped: 0 }),
      imageCount: async () => 0,
      eventListeners: () => events.subscriberCount,
    },
    closers: [],
  };
}
