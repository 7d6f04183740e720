import { Router } from '../api/router.js';
import { registerAuthRoutes } from '../api/routers/auth.js';
import { registerBuildRoutes } from '../api/routers/build.js';
import { registerBuildKitRoutes } from '../api/routers/buildkit.js';
import { registerBerthSettingsRoutes } from '../api/routers/berth-settings.js';
import { registerContainerRoutes } from '../api/routers/containers.js';
import { registerContainerIoRoutes } from '../api/routers/containers-io.js';
import { registerContainerExtraRoutes } from '../api/routers/containers-extra.js';
import { registerExecRoutes } from '../api/routers/exec.js';
import { registerDistributionRoutes } from '../api/routers/distribution.js';
import { registerEventRoutes } from '../api/routers/events.js';
import { registerImageRoutes } from '../api/routers/images.js';
import { registerNetworkRoutes } from '../api/routers/networks.js';
import { registerPluginRoutes } from '../api/routers/plugins.js';
import { registerSwarmRoutes } from '../api/routers/swarm.js';
import { registerSystemDfRoutes } from '../api/routers/system-df.js';
import { registerSystemRoutes, type SystemBackend } from '../api/routers/system.js';
import { registerVolumeRoutes } from '../api/routers/volumes.js';
import type { Services } from './services.js';

/** The whole route table; literal paths are registered before patterns that could swallow them. */
export function buildRouter(services: Services, system: SystemBackend): Router {
  const router = new Router();
  registerSystemRoutes(router, system);
  registerSystemDfRoutes(router, {
    images: (v) => services.images.diskUsage(v),
    volumes: () => services.volumes.df(),
    containers: () => services.containerExtras.diskUsage(),
    buildCache: () => services.build.diskUsage(),
  });
  registerEventRoutes(router, services.events);
  registerContainerRoutes(router, services.containers);
  registerBerthSettingsRoutes(router, { extensionContainers: services.extensionContainers });
  registerContainerExtraRoutes(router, services.containerExtras);
  registerContainerIoRoutes(router, services.containerIo);
  registerExecRoutes(router, services.containerIo.execs);
  registerImageRoutes(router, services.images);
  registerAuthRoutes(router, services.images);
  registerDistributionRoutes(router, services.images);
  registerNetworkRoutes(router, services.networks, services.connector);
  registerVolumeRoutes(router, services.volumes);
  registerBuildRoutes(router, services.build);
  registerBuildKitRoutes(router, services.buildkit);
  registerPluginRoutes(router, services.plugins);
  registerSwarmRoutes(router);
  return router;
}
