import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../base/log.js';
import type { EventsService } from '../events/events.js';
import type { ImageService } from '../images/service.js';
import { ContainerService } from '../containers/service.js';
import type { ContainerNetworking } from '../containers/networking.js';
import type { VolumeProvider } from '../containers/mounts.js';
import { createRuntime, detectRuntimes, readEngineCapabilities, readEngineHardLimits, resolveMonitorBinary, type OciRuntime } from '../runtime/index.js';
import type { DaemonConfig } from './config.js';
import { StartupTimer } from './startup-timer.js';

/** A static init for `--init`: it is bind-mounted into images that may have no libc. */
function findInitBinary(): string | undefined {
  return ['/usr/bin/tini-static', '/usr/bin/catatonit', '/usr/libexec/podman/catatonit'].find((p) => existsSync(p));
}

/** Builds the containers layer: the OCI runtimes that work on this host, the monitor binary, host facts. */
export async function createContainerService(
  config: DaemonConfig,
  deps: { images: ImageService; events: EventsService; log: Logger; networking?: ContainerNetworking; volumes?: VolumeProvider; timer?: StartupTimer },
): Promise<ContainerService> {
  const timer = deps.timer ?? new StartupTimer();
  const [detected, engineHardLimits, capabilityBound] = await Promise.all([
    timer.time('runtimes', () => detectRuntimes()),
    readEngineHardLimits(),
    readEngineCapabilities(),
  ]);
  const runtimes = new Map<string, OciRuntime>();
  for (const r of detected.runtimes) {
    if (r.usable) runtimes.set(r.name, createRuntime(r, path.join(config.execRoot, 'runtime')));
    else deps.log.info({ runtime: r.name, reason: r.reason }, 'OCI runtime not available');
  }
  if (!runtimes.has(config.defaultRuntime)) {
    deps.log.warn({ runtime: config.defaultRuntime }, 'the default runtime is not usable on this host; containers will fail to start');
  }
  let monitor: Promise<string> | undefined;
  const service = new ContainerService({
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
    images: deps.images,
    runtimes,
    defaultRuntime: config.defaultRuntime,
    // Built on first use: compiling it costs a second, and a daemon that runs no container never needs it.
    monitorBinary: () => (monitor ??= resolveMonitorBinary(path.join(config.dataRoot, 'bin'))),
    events: deps.events,
    host: {
      cgroup: detected.cgroup === 'v2' ? 'v2' : 'v1',
      cpuCount: os.cpus().length,
      engineHardLimits,
      initBinary: findInitBinary(),
      capabilityBound,
      cgroupParent: '/berth',
    },
    logDriver: typeof config.extra['log-driver'] === 'string' ? config.extra['log-driver'] : 'json-file',
    logOpts: (config.extra['log-opts'] as Record<string, string> | undefined) ?? {},
    log: deps.log.child({ component: 'containers' }),
    ...(deps.networking ? { networking: deps.networking } : {}),
    ...(deps.volumes ? { volumes: deps.volumes } : {}),
  });
  await timer.time('containers', () => service.init());
  return service;
}
