import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CONTEXT_NAME = 'berth';

/** `$DOCKER_CONFIG`, else `~/.docker`: where the docker CLI keeps config.json and contexts. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG ?? path.join(env.HOME ?? os.homedir(), '.docker');
}

/** The docker endpoint URL for the host socket: unix:// on macOS/Linux, npipe:// on Windows. */
export function endpointHost(socketPath: string): string {
  if (socketPath.startsWith('\\\\.\\pipe\\')) return `npipe:////./pipe/${socketPath.slice('\\\\.\\pipe\\'.length)}`;
  return `unix://${socketPath}`;
}

function metaDir(configDir: string, name: string): string {
  return path.join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.berth-tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

/**
 * Creates (or re-points) the `berth` context at the host socket, in the docker CLI's own on-disk format, so
 * `docker --context berth …` and `docker context use berth` work without running the CLI.
 */
export function ensureContext(socketPath: string, env: NodeJS.ProcessEnv = process.env): string {
  const dir = metaDir(dockerConfigDir(env), CONTEXT_NAME);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const meta = {
    Name: CONTEXT_NAME,
    Metadata: { Description: 'Berth' },
    Endpoints: { docker: { Host: endpointHost(socketPath), SkipTLSVerify: false } },
  };
  const file = path.join(dir, 'meta.json');
  const content = JSON.stringify(meta);
  if (!existsSync(file) || readFileSync(file, 'utf8') !== content) writeAtomic(file, content, 0o644);
  return file;
}

function readConfig(env: NodeJS.ProcessEnv): { file: string; config: Record<string, unknown> } {
  const file = path.join(dockerConfigDir(env), 'config.json');
  const config = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  return { file, config };
}

/** Makes `berth` the current context (config.json keeps every other key as it was). */
export function useContext(env: NodeJS.ProcessEnv = process.env): void {
  const { file, config } = readConfig(env);
  if (config.currentContext === CONTEXT_NAME) return;
  config.currentContext = CONTEXT_NAME;
  mkdirSync(path.dirname(file), { recursive: true });
  writeAtomic(file, JSON.stringify(config, null, '\t'), 0o600);
}

export function currentContext(env: NodeJS.ProcessEnv = process.env): string {
  const { config } = readConfig(env);
  return typeof config.currentContext === 'string' && config.currentContext ? config.currentContext : 'default';
}

/** `berth uninstall`: removes the context and, if it was current, goes back to `default`. */
export function removeContext(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(metaDir(dockerConfigDir(env), CONTEXT_NAME), { recursive: true, force: true });
  const { file, config } = readConfig(env);
  if (config.currentContext === CONTEXT_NAME) {
    delete config.currentContext;
    writeAtomic(file, JSON.stringify(config, null, '\t'), 0o600);
  }
}
