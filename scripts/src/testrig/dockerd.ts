import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureDockerdPeerToolchain, TOOLCHAIN_CACHE_DIR, type DockerdPeerToolchain } from '../toolchain/index.js';
import { pingSocket } from './ping.js';
import { spawnTracked, stopByPid, tail, waitUntil } from './processes.js';
import { createBridge, deleteBridge, type BridgeAllocation } from './subnets.js';

export interface RunningDockerd {
  socket: string;
  dockerHost: string;
  dataRoot: string;
  execRoot: string;
  pid: number;
  /** The bridge the rig made for it (`bt…`, a /24 of 10.213/16), or undefined with `bridge: 'none'`. */
  bridge?: BridgeAllocation;
  logs(): Promise<string>;
  stop(): Promise<'exited' | 'killed'>;
}

let peer: DockerdPeerToolchain | undefined;

/**
 * The peer dockerd (Debian bookworm's docker.io 20.10 with its containerd), unpacked into `.cache/toolchain` by
 * `scripts/setup.sh --test` or, the first time, here. Throws with the reason when it cannot be fetched.
 */
export function dockerdToolchain(): DockerdPeerToolchain {
  peer ??= ensureDockerdPeerToolchain(TOOLCHAIN_CACHE_DIR, (line) => process.stderr.write(`[testrig] ${line}\n`));
  return peer;
}

/** Path of the peer dockerd binary (see dockerdToolchain). */
export function findDockerd(): string {
  return dockerdToolchain().dockerd;
}

export interface StartDockerdOptions {
  readyTimeoutMs?: number;
  /**
   * The bridge for its default network: by default one the rig creates for it and deletes at stop (never docker0);
   * the name of a bridge the caller made; or 'none' for no default network at all.
   */
  bridge?: string;
  /** Written as its `--config-file` (default `{}`, so a host's /etc/docker/daemon.json never leaks in). */
  daemonJson?: Record<string, unknown>;
}

/**
 * Starts a peer dockerd for side-by-side comparisons, on temp roots and socket, the project's unpacked binaries
 * (its containerd, shim and docker-proxy first on its PATH; runc and tini from the system packages) and a bridge
 * of its own. It runs no iptables, IP forwarding or masquerading of its own, so it never creates or touches
 * docker0 or the host's firewall; published ports go through its userland docker-proxy. Stops by PID.
 */
export async function startDockerd(opts: StartDockerdOptions = {}): Promise<RunningDockerd> {
  const toolchain = dockerdToolchain();
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'dockerd-'));
  const dataRoot = path.join(runDir, 'data');
  const execRoot = path.join(runDir, 'exec');
  const socket = path.join(runDir, 'docker.sock');
  const logFile = path.join(runDir, 'dockerd.log');
  const configFile = path.join(runDir, 'daemon.json');
  // An empty config file keeps a host's /etc/docker/daemon.json out of the comparison.
  await writeFile(configFile, JSON.stringify(opts.daemonJson ?? {}));
  const bridge = opts.bridge === undefined ? createBridge() : undefined;
  const args = [
    '-H', `unix://${socket}`,
    '--data-root', dataRoot,
    '--exec-root', execRoot,
    '--pidfile', path.join(runDir, 'docker.pid'),
    '--config-file', configFile,
    `--bridge=${bridge?.bridgeName ?? opts.bridge}`,
    '--iptables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    // Debian's docker-init is a symlink to the system's tini-static, which the unpacked tree lacks.
    '--init-path', '/usr/bin/tini-static',
    '--log-level', 'warn',
  ];
  const env = { ...process.env, PATH: [...toolchain.pathDirs, process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'].join(':') };
  const log = await open(logFile, 'w');
  const child = spawnTracked(toolchain.dockerd, args, { stdio: ['ignore', log.fd, log.fd], env });
  await log.close();
  const logs = () => readFile(logFile, 'utf8').catch(() => '');
  // dockerd's supervised containerd may leave mounts under the roots for a moment after exit.
  const cleanup = async () => {
    await rm(runDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => undefined);
    if (bridge) deleteBridge(bridge);
  };

  try {
    await waitUntil(async () => (await pingSocket(socket)) === 200, {
      child,
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      intervalMs: 100,
      what: `dockerd on ${socket}`,
    });
  } catch (err) {
    if ((await stopByPid(child, 5_000)) === 'killed') await killSupervisedContainerd(execRoot);
    const text = await logs();
    await cleanup();
    throw new Error(`${(err as Error).message}\n--- dockerd log (tail) ---\n${tail(text)}`, { cause: err });
  }
  let stopping: Promise<'exited' | 'killed'> | undefined;
  return {
    socket,
    dockerHost: `unix://${socket}`,
    dataRoot,
    execRoot,
    pid: child.pid!,
    ...(bridge ? { bridge } : {}),
    logs,
    stop() {
      stopping ??= (async () => {
        // dockerd stops its containerd itself on SIGTERM; give it time before the SIGKILL.
        const how = await stopByPid(child, 20_000);
        if (how === 'killed') await killSupervisedContainerd(execRoot);
        await cleanup();
        return how;
      })();
      return stopping;
    },
  };
}

/** A SIGKILLed dockerd leaves its containerd running: end that one too, by the PID dockerd recorded. */
async function killSupervisedContainerd(execRoot: string): Promise<void> {
  const pid = Number((await readFile(path.join(execRoot, 'containerd', 'containerd.pid'), 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
