import { spawn } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import {
  BERTHD_BIN,
  docker,
  pingSocket,
  pushTestImages,
  startBerthd,
  startRegistry,
  stopByPid,
  sweepEngineFirewall,
  type DockerResult,
  type RunningBerthd,
  type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';

/** One registry with the test images and one berthd that trusts it, for a container test file. */
export interface ContainerRig {
  registry: TestRegistry;
  berthd: RunningBerthd;
  /** `<registry>/berth-test/busybox:latest`, pulled already. */
  busybox: string;
  /** Runs the real docker CLI against this berthd; throws with its stderr when `expectOk` and it fails. */
  docker(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<DockerResult>;
  ok(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<string>;
  /** `docker run -d <args>`, waits, removes the container, and returns its exit code. */
  exitCode(args: string[]): Promise<number>;
  /** Runs `sh -c script` in a new busybox container with the given flags; the exit code says if the check held. */
  check(flags: string[], script: string): Promise<number>;
  stop(): Promise<void>;
}

export async function startContainerRig(opts: { extraArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ContainerRig> {
  const registry = await startRegistry();
  await pushTestImages(registry);
  const berthd = await startBerthd({
    insecureRegistries: [registry.host],
    ...(opts.extraArgs ? { extraArgs: opts.extraArgs } : {}),
    ...(opts.env ? { env: opts.env } : {}),
  });
  const run = (args: string[], opts: { input?: string; timeoutMs?: number } = {}) =>
    docker(args, { host: berthd.dockerHost, timeoutMs: opts.timeoutMs ?? 60_000, ...(opts.input !== undefined ? { input: opts.input } : {}) });
  const ok = async (args: string[], opts: { input?: string; timeoutMs?: number } = {}) => {
    const r = await run(args, opts);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr}\n--- berthd log tail ---\n${(await berthd.logs()).slice(-3000)}`);
    return r.stdout.trim();
  };
  const busybox = `${registry.host}/berth-test/busybox:latest`;
  await ok(['pull', '-q', busybox]);
  const exitCode = async (args: string[]): Promise<number> => {
    const id = await ok(['run', '-d', ...args]);
    const code = Number(await ok(['wait', id]));
    await ok(['rm', id]);
    return code;
  };
  return {
    registry,
    berthd,
    busybox,
    docker: run,
    ok,
    exitCode,
    check: (flags, script) => exitCode([...flags, busybox, 'sh', '-c', script]),
    async stop() {
      await berthd.stop();
      await registry.stop();
    },
  };
}

/**
 * Starts another berthd on the data root, exec root and socket of one that was killed, as a supervisor restarting
 * the engine after a crash would. Returns a stop function.
 */
export async function restartBerthdInPlace(b: RunningBerthd, insecure: string[]): Promise<() => Promise<void>> {
  const runDir = path.dirname(b.socket);
  const args = [
    '-H', `unix://${b.socket}`, '--data-root', b.dataRoot, '--exec-root', b.execRoot, '--pidfile', b.pidfile,
    '--config-file', path.join(runDir, 'daemon.json'), '--bridge-name', b.bridge.bridgeName, '--bip', b.bridge.bip,
    '--log-level', 'debug', ...insecure.flatMap((r) => ['--insecure-registry', r]),
  ];
  const log = await open(path.join(runDir, 'berthd-restarted.log'), 'a');
  const child = spawn(process.execPath, [BERTHD_BIN, ...args], { stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  for (let i = 0; i < 200; i++) {
    if ((await pingSocket(b.socket)) === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return async () => {
    await stopByPid(child, 10_000);
    // A restarted engine killed after its grace period would leave its bridges' rules behind (see the sweep).
    await sweepEngineFirewall(b.dataRoot);
  };
}
