import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import { dockerConfigDir } from '../toolchain/docker-config-file.js';

export { dockerConfigDir };
export const CONTEXT_NAME = 'berth';

/** The docker endpoint URL for the host socket: unix:// on macOS/Linux, npipe:// on Windows. */
export function endpointHost(socketPath: string): string {
  if (socketPath.startsWith('\\\\.\\pipe\\')) return `npipe:////./pipe/${socketPath.slice('\\\\.\\pipe\\'.length)}`;
  return `unix://${socketPath}`;
}

function metaDir(configDir: string, name: string): string {
  return path.join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
}

/**
 * Creates (or re-points) the `berth` context at the host socket, in the docker CLI's own on-disk format, so
 * `docker --context berth …` and `docker context use berth` work without running the CLI. Which context is current
 * is config.json's business: `toolchain/docker-config-setup.ts` changes it and remembers the previous one.
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
  if (!existsSync(file) || readFileSync(file, 'utf8') !== content) writeFileAtomic(file, content, 0o644);
  return file;
}

/** `berth uninstall` / `berth context rm`: the context's own files (config.json is put back separately). */
export function removeContextFiles(env: NodeJS.ProcessEnv = process.env): void {
  rmSync(metaDir(dockerConfigDir(env), CONTEXT_NAME), { recursive: true, force: true });
}
