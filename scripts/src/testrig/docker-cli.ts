import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface DockerRunOptions {
  /** `unix:///…` of the engine to talk to. */
  host: string;
  /** Written to the CLI's stdin, which is otherwise closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /** A DOCKER_CONFIG dir to use (e.g. to keep a `docker login` between calls); default: a per-process temp dir. */
  configDir?: string;
  timeoutMs?: number;
}

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `/usr/local/bin/docker` when present (the real Docker CLI), else `docker` from PATH (Debian's client). */
export function dockerBinary(): string {
  try {
    accessSync('/usr/local/bin/docker', constants.X_OK);
    return '/usr/local/bin/docker';
  } catch {
    return 'docker';
  }
}

let sharedConfigDir: string | undefined;

/** An empty DOCKER_CONFIG so tests never read or write the user's ~/.docker; removed when the process exits. */
export function testDockerConfigDir(): string {
  if (!sharedConfigDir) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-docker-config-'));
    sharedConfigDir = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return sharedConfigDir;
}

/** Runs the real docker CLI against `host`, classic builder, isolated config; never throws on a non-zero exit. */
export function docker(args: string[], opts: DockerRunOptions): Promise<DockerResult> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Another engine, context or TLS setting from the caller's shell must not leak into the test.
    if (!k.startsWith('DOCKER_')) env[k] = v;
  }
  Object.assign(env, {
    DOCKER_HOST: opts.host,
    DOCKER_CONFIG: opts.configDir ?? testDockerConfigDir(),
    DOCKER_BUILDKIT: '0',
    DOCKER_CLI_HINTS: 'false',
    ...opts.env,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(dockerBinary(), args, { env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
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
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(out).toString(),
        stderr: signal ? `${stderr}\n[docker killed by ${signal}]` : stderr,
      });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
