import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pingSocket } from './ping.js';
import { spawnTracked, stopByPid, tail, waitUntil } from './processes.js';

export interface RunningDockerd {
  socket: string;
  dockerHost: string;
  dataRoot: string;
  execRoot: string;
  pid: number;
  logs(): Promise<string>;
  stop(): Promise<'exited' | 'killed'>;
}

/** Path of Debian's dockerd (package docker.io) when installed, else undefined. */
export function findDockerd(): string | undefined {
  for (const candidate of ['/usr/sbin/dockerd', '/usr/bin/dockerd']) if (existsSync(candidate)) return candidate;
  const res = spawnSync('sh', ['-c', 'command -v dockerd'], { encoding: 'utf8' });
  const found = res.stdout.trim();
  return res.status === 0 && found ? found : undefined;
}

/**
 * Starts a peer dockerd for side-by-side comparisons, on temp roots and socket and with no networking of its own
 * (`--bridge=none`, or the caller's own `bridge`; no iptables, no ip_forward), so it never creates or touches
 * docker0. Stops by PID.
 */
export async function startDockerd(opts: { binary?: string; readyTimeoutMs?: number; bridge?: string } = {}): Promise<RunningDockerd> {
  const binary = opts.binary ?? findDockerd();
  if (!binary) throw new Error('dockerd is not installed (Debian package docker.io)');
  const runDir = await mkdtemp(path.join(os.tmpdir(), 'dockerd-'));
  const dataRoot = path.join(runDir, 'data');
  const execRoot = path.join(runDir, 'exec');
  const socket = path.join(runDir, 'docker.sock');
  const logFile = path.join(runDir, 'dockerd.log');
  const configFile = path.join(runDir, 'daemon.json');
  // An empty config file keeps a host's /etc/docker/daemon.json out of the comparison.
  await writeFile(configFile, '{}');
  const args = [
    '-H', `unix://${socket}`,
    '--data-root', dataRoot,
    '--exec-root', execRoot,
    '--pidfile', path.join(runDir, 'docker.pid'),
    '--config-file', configFile,
    // A bridge the caller created (and removes) gives it a default network; still no iptables of its own.
    `--bridge=${opts.bridge ?? 'none'}`,
    '--iptables=false',
    '--ip-forward=false',
    '--ip-masq=false',
    '--log-level', 'warn',
  ];
  const log = await open(logFile, 'w');
  const child = spawnTracked(binary, args, { stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  const logs = () => readFile(logFile, 'utf8').catch(() => '');
  // dockerd's supervised containerd may leave mounts under the roots for a moment after exit.
  const cleanup = () => rm(runDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }).catch(() => undefined);

  try {
    await waitUntil(async () => (await pingSocket(socket)) === 200, {
      child,
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      intervalMs: 100,
      what: `dockerd on ${socket}`,
    });
  } catch (err) {
    await stopByPid(child, 5_000);
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
