import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDockerClientToolchain, TOOLCHAIN_CACHE_DIR, type DockerClientToolchain } from '../toolchain/index.js';

/**
 * The docker clients tests drive berthd with. The bundled one is the project's own (Debian's docker-cli 26.1 with
 * the Compose v2 and buildx plugins, unpacked into `.cache/toolchain` by set-up, or on first use here); a docker CLI
 * the machine has on PATH (e.g. `/usr/local/bin/docker`) joins the matrix as the "system" client. Plugins are
 * reached through a DOCKER_CONFIG whose `config.json` lists their dirs in `cliPluginsExtraDirs`, never through
 * the user's `~/.docker` or anything installed system-wide.
 */

export type ClientKind = 'bundled' | 'system';

export interface DockerClient {
  /** `bundled-26.1.5` or `system-28.0.1`, plus `+buildx` when the buildx plugin is reachable: for test titles. */
  name: string;
  kind: ClientKind;
  binary: string;
  /** The CLI's own version (`docker version --format {{.Client.Version}}`). */
  version: string;
  /** Whether the buildx plugin is reachable (then `docker build` goes through BuildKit unless DOCKER_BUILDKIT=0). */
  buildx: boolean;
}

/** Which client a test wants: the bundled one by default; `buildx` adds the buildx plugin (Compose is always there). */
export interface ClientChoice {
  kind?: ClientKind;
  buildx?: boolean;
}

let bundled: DockerClientToolchain | undefined;

/** The project's client toolchain, fetched into the cache on first use if set-up has not done it yet. */
export function bundledToolchain(): DockerClientToolchain {
  bundled ??= ensureDockerClientToolchain(TOOLCHAIN_CACHE_DIR, (line) => process.stderr.write(`[testrig] ${line}\n`));
  return bundled;
}

/** The bundled docker CLI binary. */
export function bundledDockerBinary(): string {
  return bundledToolchain().cli;
}

/** The plugin dirs a client gets: Compose v2 always, buildx on request. */
export function pluginDirs(opts: { buildx?: boolean } = {}): string[] {
  const t = bundledToolchain();
  return opts.buildx ? [t.composePluginDir, t.buildxPluginDir] : [t.composePluginDir];
}

const configDirs = new Map<boolean, string>();

/**
 * A DOCKER_CONFIG (shared per process) holding only `cliPluginsExtraDirs`, so tests never read or write the user's
 * `~/.docker` and see exactly the plugins they asked for. Under vitest it lives in the run's folder (removed when the
 * run ends; a worker is ended without its exit handlers), elsewhere it is removed at exit.
 */
export function testDockerConfigDir(opts: { buildx?: boolean } = {}): string {
  const buildx = opts.buildx ?? false;
  let dir = configDirs.get(buildx);
  if (!dir) {
    const made = mkdtempSync(path.join(process.env.BERTH_TEST_RUN_DIR ?? os.tmpdir(), `berth-docker-config${buildx ? '-buildx' : ''}-`));
    writePluginConfig(made, opts);
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
    configDirs.set(buildx, made);
    dir = made;
  }
  return dir;
}

/** Adds the plugin dirs to `dir/config.json`, keeping what else is there (e.g. a `docker login`'s auths). */
export function writePluginConfig(dir: string, opts: { buildx?: boolean } = {}): void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'config.json');
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // No config yet.
  }
  const wanted = pluginDirs(opts);
  if (JSON.stringify(config.cliPluginsExtraDirs) === JSON.stringify(wanted)) return;
  config.cliPluginsExtraDirs = wanted;
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n');
}

let systemBinary: string | null | undefined;

/**
 * A docker CLI the machine has besides ours: `/usr/local/bin/docker`, else the first `docker` on PATH that is not
 * the project's cache; undefined when there is none (a fresh machine).
 */
export function systemDockerBinary(): string | undefined {
  if (systemBinary === undefined) {
    const dirs = ['/usr/local/bin', ...(process.env.PATH ?? '').split(':').filter(Boolean)];
    systemBinary = null;
    for (const dir of dirs) {
      const candidate = path.join(dir, 'docker');
      if (!isExecutable(candidate) || realpathSync(candidate).startsWith(TOOLCHAIN_CACHE_DIR + path.sep)) continue;
      systemBinary = candidate;
      break;
    }
  }
  return systemBinary ?? undefined;
}

/** The binary for a choice; throws when the system client is asked for and there is none (check the matrix first). */
export function clientBinary(kind: ClientKind = 'bundled'): string {
  if (kind === 'bundled') return bundledDockerBinary();
  const sys = systemDockerBinary();
  if (!sys) throw new Error('no system docker CLI on this machine: take the clients from clientMatrix()');
  return sys;
}

const versions = new Map<string, string>();

function cliVersion(binary: string): string {
  let v = versions.get(binary);
  if (v === undefined) {
    const res = spawnSync(binary, ['version', '--format', '{{.Client.Version}}'], {
      encoding: 'utf8',
      // No engine is asked: the client half prints even when DOCKER_HOST answers nothing.
      env: { PATH: process.env.PATH ?? '', DOCKER_HOST: 'unix:///nonexistent', DOCKER_CONFIG: testDockerConfigDir() },
    });
    v = res.stdout.trim().split('\n')[0] || 'unknown';
    versions.set(binary, v);
  }
  return v;
}

export function dockerClient(choice: ClientChoice = {}): DockerClient {
  const kind = choice.kind ?? 'bundled';
  const binary = clientBinary(kind);
  const version = cliVersion(binary);
  const buildx = choice.buildx ?? false;
  return { name: `${kind}-${version}${buildx ? '+buildx' : ''}`, kind, binary, version, buildx };
}

/**
 * Every client a user might drive berthd with here: the bundled CLI 26.1 and the system CLI when the machine has
 * one, each with and without buildx. Use with `describe.each(clientMatrix())("… with $name", (client) => …)`.
 */
export function clientMatrix(): DockerClient[] {
  const kinds: ClientKind[] = systemDockerBinary() ? ['bundled', 'system'] : ['bundled'];
  return kinds.flatMap((kind) => [dockerClient({ kind }), dockerClient({ kind, buildx: true })]);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
