import type net from 'node:net';
import { errorMessage } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { Router } from '../api/router.js';
import { registerSystemRoutes, type SystemBackend } from '../api/routers/system.js';
import { ApiServer } from '../api/server.js';
import { StartingRoutes } from '../api/starting-routes.js';
import type { DaemonConfig } from './config.js';
import { loadEngineId } from './engine-id.js';
import { readHostFacts } from './host-facts.js';
import { closeListener, listenUnix, socketPathFromHost } from './listeners.js';
import { acquireDataRootLock } from './lock.js';
import { writePidfile } from './pidfile.js';
import { prepareRoots } from './roots.js';
import { buildRouter } from './routes.js';
import { createServices, type Services } from './services.js';
import { StartupTimer } from './startup-timer.js';
import { buildInfo, buildVersion } from './system-info.js';

export interface RunningDaemon {
  readonly config: DaemonConfig;
  readonly services: Services;
  readonly sockets: string[];
  stop(): Promise<void>;
}

/**
 * Starts the engine: claims the data root, builds the services and the API, and listens. Anything acquired
 * before a failure is released again, so a failed start leaves no lock, pidfile or socket behind.
 */
export async function startDaemon(config: DaemonConfig, log: Logger): Promise<RunningDaemon> {
  const cleanup: Array<() => Promise<void> | void> = [];
  // The pidfile and the data root's lock go last, once nothing of this daemon (its sockets included) is left.
  const claims: Array<() => Promise<void> | void> = [];
  const unwind = async (): Promise<void> => {
    for (const fn of [...cleanup.reverse(), ...claims.reverse()]) {
      try {
        await fn();
      } catch (err) {
        log.warn({ err: errorMessage(err) }, 'cleanup step failed');
      }
    }
    cleanup.length = 0;
    claims.length = 0;
  };
  const timer = new StartupTimer();
  try {
    const socketPaths = config.hosts.map(socketPathFromHost);
    const rawSocketPaths = config.rawHosts.map(socketPathFromHost);
    await prepareRoots({ dataRoot: config.dataRoot, execRoot: config.execRoot, publicFiles: [...socketPaths, ...rawSocketPaths, config.pidfile] });
    // Before the socket answers, so that whoever waits for /_ping finds this daemon's pid in it (and a second daemon
    // with the same pidfile is refused before it listens).
    claims.push(await writePidfile(config.pidfile));
    const facts = readHostFacts();
    // The socket listens first; /_ping and /version answer once the data root is claimed (lock, engine ID), so a
    // daemon the lock refuses never looks ready; the services start behind the claim, and any other request waits
    // for them (StartingRoutes). Under emulation in the VM the lock (a `flock` process: Node has no flock(2)) took
    // most of a second and the services' start-up (stores, bridges, firewall, runtimes) the longest part of the
    // start; the host's connection and the CLI's first calls overlap both. Nothing reads or writes the data root
    // before its lock is held. The claim starts once the sockets listen (a spawn blocks the event loop while it forks).
    let listening!: () => void;
    const claimed = new Promise<void>((resolve) => (listening = resolve)).then(async () => {
      const lock = await timer.time('lock', () => acquireDataRootLock(config.dataRoot));
      claims.push(() => lock.release());
      return loadEngineId(config.dataRoot);
    });
    const starting = claimed.then(async (engineId) => ({ engineId, services: await createServices(config, log, timer) }));
    starting.catch(() => undefined); // awaited below
    const system: SystemBackend = {
      version: () => buildVersion(facts),
      info: async () => {
        const { engineId, services } = await starting;
        return buildInfo(engineId, config, facts, services.info);
      },
    };
    const early = new Router();
    registerSystemRoutes(early, system);
    const api = new ApiServer(new StartingRoutes(early, starting.then(({ services }) => buildRouter(services, system)), claimed), log.child({ component: 'api' }));
    cleanup.push(() => api.close());
    const listeners: Array<[net.Server, string]> = [];
    for (const [socketPath, raw] of [...socketPaths.map((p) => [p, false] as const), ...rawSocketPaths.map((p) => [p, true] as const)]) {
      const server = await listenUnix(api.http, socketPath, config.group, { raw });
      listeners.push([server, socketPath]);
      cleanup.push(() => closeListener(server, socketPath));
      log.info({ socket: socketPath, ...(raw ? { raw } : {}) }, 'API listening');
    }
    timer.mark('listening');
    listening();
    const { engineId, services } = await starting;
    cleanup.push(async () => {
      for (const close of [...services.closers].reverse()) await close();
    });
    timer.report(log);
    services.events.publish('daemon', 'start', engineId, { name: facts.hostname });
    log.info({ version: buildVersion(facts).Version, dataRoot: config.dataRoot, execRoot: config.execRoot }, 'berthd started');
    let stopping: Promise<void> | undefined;
    return {
      config,
      services,
      sockets: [...socketPaths, ...rawSocketPaths],
      stop: () => {
        stopping ??= unwind();
        return stopping;
      },
    };
  } catch (err) {
    await unwind();
    throw err;
  }
}
