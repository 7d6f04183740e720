/**
 * The docker clients with the buildx plugin, for the BuildKit tests: the rig's toolchain (bundled CLI 26.1 and the
 * machine's CLI 28, each with the buildx 0.13.1 and Compose 2.26.1 plugins) once it is on main. Until then a
 * plugin dir named by BERTH_TEST_CLI_PLUGINS stands in; without either the suite skips and says why.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as rig from '../../../../scripts/src/testrig/index.js';
import type { DockerResult } from '../../../../scripts/src/testrig/index.js';

export type ClientKind = 'bundled' | 'system';

export interface BuildxRunOptions {
  kind?: ClientKind;
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Called with the child's pid once it runs (for signals). */
  started?: (pid: number) => void;
}

type RigToolchain = { dockerEnv(host: string, opts: { client: { kind: ClientKind; buildx: boolean } }): NodeJS.ProcessEnv; dockerBinary(c: { kind: ClientKind; buildx: boolean }): string };

const rigToolchain = (): RigToolchain | undefined => ('dockerEnv' in rig ? (rig as unknown as RigToolchain) : undefined);

let fallbackConfig: string | undefined;

/** Why the BuildKit clients are unavailable, or undefined when they are there. */
export function buildxUnavailable(): string | undefined {
  if (rigToolchain() || process.env.BERTH_TEST_CLI_PLUGINS) return undefined;
  return 'no buildx client: the rig toolchain (scripts/src/testrig/toolchain.ts) is not on this branch and BERTH_TEST_CLI_PLUGINS is unset';
}

function environment(host: string, kind: ClientKind): { binary: string; env: NodeJS.ProcessEnv } {
  const t = rigToolchain();
  if (t) return { binary: t.dockerBinary({ kind, buildx: true }), env: t.dockerEnv(host, { client: { kind, buildx: true } }) };
  if (!fallbackConfig) {
    fallbackConfig = mkdtempSync(path.join(os.tmpdir(), 'berth-buildx-config-'));
    writeFileSync(path.join(fallbackConfig, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [process.env.BERTH_TEST_CLI_PLUGINS] }));
    const dir = fallbackConfig;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DOCKER_')) env[k] = v;
  Object.assign(env, { DOCKER_HOST: host, DOCKER_CONFIG: fallbackConfig, DOCKER_CLI_HINTS: 'false' });
  const binary = kind === 'bundled' ? (process.env.BERTH_TEST_BUNDLED_CLI ?? rig.dockerBinary()) : rig.dockerBinary();
  return { binary, env };
}

/** The docker CLI with buildx (so `docker build` is BuildKit) against `host`; never throws on a non-zero exit. */
export function buildxDocker(host: string, args: string[], opts: BuildxRunOptions = {}): Promise<DockerResult> {
  const { binary, env } = environment(host, opts.kind ?? 'system');
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: { ...env, ...opts.env }, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
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
