// The docker CLI (with its Compose plugin) as the host runs it for extensions: backends are Compose projects and
// an extension's `ddClient.docker.cli.exec` runs `docker …`. The CLI is Berth's bundled one when the app ships it
// (BERTH_DOCKER_CLI names it; DOCKER_CONFIG may point at a config whose cliPluginsExtraDirs finds Compose), else
// `docker` on PATH. DOCKER_HOST is always the engine Berth was told to use, never the caller's context.
import { spawn, type ChildProcess } from 'node:child_process';

export interface DockerCli {
  /** The docker binary. */
  bin: string;
  /** Extra environment (DOCKER_CONFIG for the plugin dirs). */
  env: NodeJS.ProcessEnv;
}

export interface CliResult {
  code: number;
  signal?: string;
  stdout: string;
  stderr: string;
}

export function dockerCliFrom(env: NodeJS.ProcessEnv = process.env): DockerCli {
  return {
    bin: env.BERTH_DOCKER_CLI || 'docker',
    env: env.DOCKER_CONFIG ? { DOCKER_CONFIG: env.DOCKER_CONFIG } : {},
  };
}

export function cliEnv(cli: DockerCli, engine: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k !== 'DOCKER_HOST' && k !== 'DOCKER_CONTEXT' && !k.startsWith('DOCKER_TLS')) env[k] = v;
  }
  return { ...env, ...cli.env, DOCKER_HOST: engine, DOCKER_CLI_HINTS: 'false', ...extra };
}

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Spawns a program and collects its output; never throws on a non-zero exit. */
export function runCollect(bin: string, args: string[], opts: SpawnOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(bin, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      reject(e as Error);
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({
      code: code ?? 128,
      ...(signal ? { signal } : {}),
      stdout: Buffer.concat(out).toString(),
      stderr: Buffer.concat(err).toString(),
    }));
  });
}

export async function runDocker(cli: DockerCli, engine: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CliResult> {
  return runCollect(cli.bin, args, { env: cliEnv(cli, engine, extraEnv), ...(cwd ? { cwd } : {}) });
}
