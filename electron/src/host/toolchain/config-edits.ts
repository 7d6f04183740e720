// Pure edits of a parsed config.json, each reporting whether it changed anything. The file handling (backup,
// atomic write) is DockerConfigFile's; what was replaced is recorded by docker-config-setup.ts.
import type { DockerConfig } from './docker-config-file.js';

export const CREDS_STORE = 'berth';

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function setKey(config: DockerConfig, key: string, value: string): { changed: boolean; previous: string | null } {
  const previous = stringOrNull(config[key]);
  if (previous === value) return { changed: false, previous };
  config[key] = value;
  return { changed: true, previous };
}

/** Puts back `previous` (null: removes the key), but only while the key still holds what Berth set. */
export function restoreKey(config: DockerConfig, key: string, ours: string, previous: string | null): boolean {
  if (config[key] !== ours) return false;
  if (previous === null) delete config[key];
  else config[key] = previous;
  return true;
}

export function addPluginsDir(config: DockerConfig, dir: string): { changed: boolean; createdKey: boolean } {
  const list = config.cliPluginsExtraDirs;
  if (Array.isArray(list)) {
    if (list.includes(dir)) return { changed: false, createdKey: false };
    list.push(dir);
    return { changed: true, createdKey: false };
  }
  config.cliPluginsExtraDirs = [dir];
  return { changed: true, createdKey: true };
}

export function removePluginsDir(config: DockerConfig, dir: string, createdKey: boolean): boolean {
  const list = config.cliPluginsExtraDirs;
  if (!Array.isArray(list) || !list.includes(dir)) return false;
  const rest = list.filter((d) => d !== dir);
  if (rest.length === 0 && createdKey) delete config.cliPluginsExtraDirs;
  else config.cliPluginsExtraDirs = rest;
  return true;
}

/** Drops the `"server": {}` markers the docker CLI leaves for logins kept in a helper (Berth's, being erased). */
export function dropLoginMarkers(config: DockerConfig, servers: string[], hadAuths: boolean): boolean {
  const auths = config.auths as Record<string, Record<string, unknown>> | undefined;
  if (!auths || typeof auths !== 'object') return false;
  let changed = false;
  for (const server of servers) {
    const entry = auths[server];
    if (entry && typeof entry === 'object' && Object.keys(entry).length === 0) {
      delete auths[server];
      changed = true;
    }
  }
  // `docker logout` leaves an empty map behind: with no auths before Berth, it goes too.
  if (!hadAuths && Object.keys(auths).length === 0) {
    delete config.auths;
    changed = true;
  }
  return changed;
}

/** Order-insensitive deep equality of two parsed JSON values. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((v, i) => sameJson(v, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
