/**
 * The docker clients with the buildx plugin, from the rig's toolchain (the bundled CLI 26.1 and the machine's CLI
 * when it has one, each with the buildx 0.13.1 and Compose 2.26.1 plugins), run with a working directory (Compose)
 * and their pid at hand (Ctrl-C), which the rig's `docker()` does not offer.
 */
import { spawn } from 'node:child_process';
import { dockerBinary, dockerEnv, systemDockerBinary, type ClientKind, type DockerResult, type RunningBerthd } from '../../../../scripts/src/testrig/index.js';

export interface BuildxRunOptions {
  kind?: ClientKind;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A DOCKER_CONFIG dir of the test's own (e.g. to keep a `docker login`). */
  configDir?: string;
  timeoutMs?: number;
  /** Called with the child's pid once it runs (for signals). */
  started?: (pid: number) => void;
}

/** The system CLI (CLI 28 here) when the machine has one, else the bundled one. */
export function defaultKind(): ClientKind {
  return systemDockerBinary() ? 'system' : 'bundled';
}

/** The docker CLI with buildx (so `docker build` is BuildKit) against `host`; never throws on a non-zero exit. */
export function buildxDocker(host: string, args: string[], opts: BuildxRunOptions = {}): Promise<DockerResult> {
  const client = { kind: opts.kind ?? defaultKind(), buildx: true };
  const env = dockerEnv(host, { client, ...(opts.env ? { env: opts.env } : {}), ...(opts.configDir ? { configDir: opts.configDir } : {}) });
  return new Promise((resolve, reject) => {
    const child = spawn(dockerBinary(client), args, { env, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (child.pid) opts.started?.(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString();
      resolve({ code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: signal ? `${stderr}\n[docker killed by ${signal}]` : stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** buildx against a test berthd: its output, or an error with the CLI's stderr and the tail of berthd's log. */
export async function buildxOk(berthd: Pick<RunningBerthd, 'dockerHost' | 'logs'>, args: string[], opts?: BuildxRunOptions): Promise<string> {
  const r = await buildxDocker(berthd.dockerHost, args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n--- berthd log tail ---\n${(await berthd.logs()).slice(-3000)}`);
  return `${r.stdout}${r.stderr}`;
}
