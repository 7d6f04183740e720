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
  let unclaimed: Promise<void> | undefined;
  try {
    const socketPaths = config.hosts.map(socketPathFromHost);
    const rawSocketPaths = config.rawHosts.map(socketPathFromHost);
    await prepareRoots({ dataRoot: config.dataRoot, execRoot: config.execRoot, publicFiles: [...socketPaths, ...rawSocketPaths, config.pidfile] });
    // The socket listens as soon as it can; /_ping and /version answer once the data root is claimed (lock, engine
    // ID), so a daemon the lock refuses never looks ready; the services start behind the claim, and any other request
    // waits for them (StartingRoutes). Nothing reads or writes the data root before its lock is held. The claim starts
    // at once, beside the pidfile and the listeners: under emulation in the VM the lock (a `flock` process: Node has
    // no flock(2)) took 300-450 ms and the listeners as long again, and one after the other they were most of the
    // wait for the host's first /_ping. The services' start-up (stores, bridges, firewall, runtimes) is the longest
    // part; the host's connection and the CLI's first calls overlap it.
    const claimed = (async () => {
      const lock = await timer.time('lock', () => acquireDataRootLock(config.dataRoot));
      claims.push(() => lock.release());
      return loadEngineId(config.dataRoot);
    })();
    // A start that fails before the claim settles waits for it, so that its lock is released with the rest.
    unclaimed = claimed.then(
      () => undefined,
      () => undefined,
    );
    // Before the socket answers, so that whoever waits for /_ping finds this daemon's pid in it (and a second daemon
    // with the same pidfile is refused before it listens).
    claims.push(await writePidfile(config.pidfile));
    const facts = readHostFacts();
    // The services start once the data root is claimed and the sockets listen (a start that fails to listen starts none).
    let listened!: () => void;
    const listening = new Promise<void>((resolve) => (listened = resolve));
    const starting = claimed.then(async (engineId) => {
      await listening;
      return { engineId, services: await createServices(config, log, timer) };
    });
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
    // Side by side: each is a few file-system calls (mkdir, stale-socket check, chmod, chown).
    const endpoints = [...socketPaths.map((p) => [p, false] as const), ...rawSocketPaths.map((p) => [p, true] as const)];
    const opened = await Promise.allSettled(endpoints.map(([socketPath, raw]) => listenUnix(api.http, socketPath, config.group, { raw })));
    opened.forEach((r, i) => {
      const [socketPath, raw] = endpoints[i]!;
      if (r.status !== 'fulfilled') return;
      cleanup.push(() => closeListener(r.value, socketPath));
      log.info({ socket: socketPath, ...(raw ? { raw } : {}) }, 'API listening');
    });
    const refused = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason;
    timer.mark('listening');
    listened();
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
    await unclaimed;
    await unwind();
    throw err;
  }
}
