import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths.js';
import { pingSocket } from './ping.js';
import { removeAllContainers, sweepEngineLeftovers } from './leftovers.js';
import { hasExited, spawnTracked, stopByPid, tail, waitUntil } from './processes.js';
import { allocateBridge, releaseBridge, type BridgeAllocation } from './subnets.js';

export const BERTHD_BIN = path.join(repoRoot, 'engine', 'bin', 'berthd');
/** What `engine/bin/berthd` loads; absent until `npx tsc -b engine` has run. */
export const BERTHD_ENTRY = path.join(repoRoot, 'engine', 'dist', 'cmd', 'berthd.js');

export interface StartBerthdOptions {
  /** `HOST:PORT` entries passed as `--insecure-registry` (e.g. the rig's registry). */
  insecureRegistries?: string[];
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Written as the daemon's `--config-file`; default `{}`, so a host's /etc/berth/daemon.json never leaks in. */
  daemonJson?: Record<string, unknown>;
  /** More flags, appended after the rig's own. */
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  readyTimeoutMs?: number;
  /** How long SIGTERM gets before SIGKILL on stop(). */
  stopGraceMs?: number;
  /** Keep the temp dirs after stop() (debugging); also on when BERTH_RIG_KEEP=1. */
  keep?: boolean;
}

export interface RunningBerthd {
  socket: string;
  /** `unix:///…/berthd.sock`, for DOCKER_HOST. */
  dockerHost: string;
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  logFile: string;
  pid: number;
  bridge: BridgeAllocation;
  /** Everything the daemon wrote to stdout/stderr so far. */
  logs(): Promise<string>;
  /** SIGTERM, SIGKILL after the grace period; resolves to how it ended. Removes the temp dirs. */
  stop(): Promise<'exited' | 'killed'>;
}

export function berthdIsBuilt(): boolean {
  return existsSync(BERTHD_ENTRY);
}

/**
 * Starts berthd on its own temp data root, exec root, socket, pidfile, bridge and subnet, and waits until
 * `/_ping` answers. Failures carry the tail of the daemon's log.
 */
export async function startBerthd(opts: StartBerthdOptions = {}): Promise<RunningBerthd> {
  if (!berthdIsBuilt()) throw new Error(`berthd is not built (${BERTHD_ENTRY} missing): run \`npx tsc -b engine\``);
  // Unix socket paths are capped at 108 bytes, so the run dir lives directly under the temp dir.
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'berthd-'));
  const dataRoot = path.join(runDir, 'data');
  const execRoot = path.join(runDir, 'exec');
  const socket = path.join(runDir, 'berthd.sock');
  const pidfile = path.join(runDir, 'berthd.pid');
  const logFile = path.join(runDir, 'berthd.log');
  const configFile = path.join(runDir, 'daemon.json');
  await writeFile(configFile, JSON.stringify(opts.daemonJson ?? {}));
  const bridge = allocateBridge();
  const args = [
    '-H', `unix://${socket}`,
    '--data-root', dataRoot,
    '--exec-root', execRoot,
    '--pidfile', pidfile,
    '--config-file', configFile,
    '--bridge-name', bridge.bridgeName,
    '--bip', bridge.bip,
    '--log-level', opts.logLevel ?? 'debug',
    ...(opts.insecureRegistries ?? []).flatMap((r) => ['--insecure-registry', r]),
    ...(opts.extraArgs ?? []),
  ];
  const keep = opts.keep ?? process.env.BERTH_RIG_KEEP === '1';
  const cleanup = async () => {
    releaseBridge(bridge);
    if (!keep) await rm(runDir, { recursive: true, force: true, maxRetries: 3 });
  };

  const log = await open(logFile, 'w');
  const child = spawnTracked(process.execPath, [BERTHD_BIN, ...args], {
    stdio: ['ignore', log.fd, log.fd],
    env: { ...process.env, ...opts.env },
  });
  await log.close();
  const logs = () => readFile(logFile, 'utf8').catch(() => '');

  try {
    await waitUntil(async () => (await pingSocket(socket)) === 200, {
      child,
      timeoutMs: opts.readyTimeoutMs ?? 30_000,
      what: `berthd on ${socket}`,
    });
  } catch (err) {
    await stopByPid(child, 2_000);
    const text = await logs();
    await cleanup();
    throw new Error(`${(err as Error).message}\nberthd ${args.join(' ')}\n--- berthd log (tail) ---\n${tail(text)}`, { cause: err });
  }

  let stopping: Promise<'exited' | 'killed'> | undefined;
  return {
    socket,
    dockerHost: `unix://${socket}`,
    dataRoot,
    execRoot,
    pidfile,
    logFile,
    pid: child.pid!,
    bridge,
    logs,
    stop() {
      stopping ??= (async () => {
        if (!hasExited(child)) await removeAllContainers(socket).catch(() => undefined);
        const how = await stopByPid(child, opts.stopGraceMs ?? 10_000);
        await sweepEngineLeftovers(runDir, execRoot, bridge.bridgeName).catch(() => undefined);
        await cleanup();
        return how;
      })();
      return stopping;
    },
  };
}
