import type { Logger } from '../base/log.js';
import { EventsService } from '../events/events.js';
import { ImageService } from '../images/service.js';
import { networkOptionsFromDaemon } from '../network/daemon-options.js';
import { ContainerEndpoints } from '../network/endpoints.js';
import { NetworkService } from '../network/service.js';
import { VolumeService } from '../volumes/service.js';
import { PluginService } from '../plugins/service.js';
import { BridgeNetworking } from '../containers/bridge-networking.js';
import { NetworkConnector } from '../containers/network-connect.js';
import type { ContainersBackend } from '../api/routers/containers.js';
import type { DaemonConfig } from './config.js';
import { createContainerService } from './containers-wiring.js';
import { ContainerIoService } from '../containers/io-service.js';
import { ContainerExtras } from '../containers/extras-service.js';
import type { ExtensionContainerVisibility } from '../containers/extension-visibility.js';
import type { BuildKitServer } from '../buildkit/server.js';
import { BuildService } from '../build/service.js';
import { loadEngineId } from './engine-id.js';
import type { InfoSources } from './system-info.js';
import { StartupTimer } from './startup-timer.js';

/** Every long-lived service of the engine, built once at start-up; the API routers get what they need from here. */
export interface Services {
  events: EventsService;
  containers: ContainersBackend;
  /** Settings → "Show extension containers" (GET/POST /berth/extension-containers). */
  extensionContainers: ExtensionContainerVisibility;
  /** attach, logs, resize, top, exec and healthchecks. */
  containerIo: ContainerIoService;
  /** stats, cp (archive), export, diff, update, prune, and container sizes for size=1 and /system/df. */
  containerExtras: ContainerExtras;
  images: ImageService;
  networks: NetworkService;
  /** What the containers layer calls to attach namespaces, publish ports and get hosts/resolv.conf. */
  endpoints: ContainerEndpoints;
  /** `network connect/disconnect` of containers. */
  connector: NetworkConnector;
  volumes: VolumeService;
  /** Managed plugins (`docker plugin …`): stored, listed, installed, pushed; never run (ARCHITECTURE.md). */
  plugins: PluginService;
  /** `docker build` (classic builder), `builder prune` and the build cache of /system/df. */
  build: BuildService;
  /** BuildKit's Control, LLB bridge and sessions, created at first use. */
  buildkit: () => Promise<BuildKitServer>;
  info: InfoSources;
  /** Called on shutdown, last registered first. */
  closers: Array<() => Promise<void> | void>;
}

export async function createServices(config: DaemonConfig, log: Logger, timer = new StartupTimer()): Promise<Services> {
  const events = new EventsService();
  const images = new ImageService({ dataRoot: config.dataRoot, registry: config, events });
  const networks = new NetworkService({
    ...networkOptionsFromDaemon({ ...config, engineId: await loadEngineId(config.dataRoot) }),
    events,
    log: log.child({ component: 'network' }),
  });
  const volumes = new VolumeService({ dataRoot: config.dataRoot, events, log: log.child({ component: 'volumes' }) });
  const plugins = new PluginService({ dataRoot: config.dataRoot, registry: config, events, log: log.child({ component: 'plugins' }) });
  // Independent stores: their start-up (mostly waiting on the disk and on ip/iptables) overlaps.
  await Promise.all([
    timer.time('images', () => images.init()),
    timer.time('networks', () => networks.init()),
    timer.time('volumes', () => volumes.init()),
    timer.time('plugins', () => plugins.init()),
  ]);
  const endpoints = new ContainerEndpoints(networks);
  const bridge = new BridgeNetworking(endpoints, (name) => networks.lookup(name), config.hostGatewayIp !== undefined);
  const containers = await createContainerService(config, { images, events, log, volumes, networking: bridge, timer });
  const connector = new NetworkConnector(containers.ctx, bridge, (term) => networks.lookup(term).name);
  const containerIo = new ContainerIoService(containers.ctx);
  const build = new BuildService({ dataRoot: config.dataRoot, execRoot: config.execRoot, images, containers, log: log.child({ component: 'build' }) });
  // Not awaited: what a crashed build left is cleared while the API already answers (builds wait for it).
  void build.initInBackground();
  let buildkit: Promise<BuildKitServer> | undefined;
  const loadBuildKit = (): Promise<BuildKitServer> =>
    (buildkit ??= import('../buildkit/server.js').then(
      (m) => new m.BuildKitServer({ builds: build, images, hostGatewayIp: () => networks.hostGatewayIp() ?? '', log: log.child({ component: 'buildkit' }) }),
    ));
  return {
    events,
    containers,
    extensionContainers: containers.extensionContainers,
    containerIo,
    containerExtras: new ContainerExtras(containers.ctx),
    images,
    networks,
    endpoints,
    connector,
    volumes,
    plugins,
    build,
    buildkit: loadBuildKit,
    info: {
      containerCounts: async () => containers.counts(),
      imageCount: async () => images.count(),
      eventListeners: () => events.subscriberCount,
    },
    closers: [() => networks.close(), () => containers.close(), () => containerIo.close(), async () => (buildkit ? (await buildkit).close() : undefined)],
  };
}
