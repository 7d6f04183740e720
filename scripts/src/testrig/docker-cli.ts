import { spawn } from 'node:child_process';
import { clientBinary, testDockerConfigDir, writePluginConfig, type ClientChoice, type DockerClient } from './toolchain.js';

export interface DockerRunOptions {
  /** `unix:///…` of the engine to talk to. */
  host: string;
  /** Written to the CLI's stdin, which is otherwise closed. */
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  /**
   * A DOCKER_CONFIG dir to use (e.g. to keep a `docker login` between calls); the client's plugin dirs are added to
   * its config.json. Default: a per-process temp dir (see `testDockerConfigDir`).
   */
  configDir?: string;
  /** Which client (default: the bundled CLI 26.1 with Compose v2, without buildx): a choice or a matrix entry. */
  client?: ClientChoice | DockerClient;
  timeoutMs?: number;
}

export interface DockerResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The docker CLI binary of a client choice: the bundled one unless asked otherwise. */
export function dockerBinary(client: ClientChoice | DockerClient = {}): string {
  return 'binary' in client ? client.binary : clientBinary(client.kind);
}

/**
 * The environment to run a docker client in against `host`: nothing `DOCKER_*` from the caller's shell, an isolated
 * DOCKER_CONFIG with the client's plugins, and the classic builder unless the client has buildx (a test asking for
 * buildx asks for BuildKit; `env: { DOCKER_BUILDKIT: '0' }` still forces classic).
 */
export function dockerEnv(host: string, opts: Omit<DockerRunOptions, 'host' | 'input' | 'timeoutMs'> = {}): NodeJS.ProcessEnv {
  const buildx = opts.client?.buildx ?? false;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    // Another engine, context or TLS setting from the caller's shell must not leak into the test.
    if (!k.startsWith('DOCKER_')) env[k] = v;
  }
  let configDir = opts.configDir;
  if (configDir) writePluginConfig(configDir, { buildx });
  else configDir = testDockerConfigDir({ buildx });
  Object.assign(env, {
    DOCKER_HOST: host,
    DOCKER_CONFIG: configDir,
    DOCKER_CLI_HINTS: 'false',
    ...(buildx ? {} : { DOCKER_BUILDKIT: '0' }),
    ...opts.env,
  });
  return env;
}

/** Runs a real docker CLI against `host` (see `dockerEnv`); never throws on a non-zero exit. */
export function docker(args: string[], opts: DockerRunOptions): Promise<DockerResult> {
  const env = dockerEnv(opts.host, opts);
  return new Promise((resolve, reject) => {
    const child = spawn(dockerBinary(opts.client), args, { env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
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
