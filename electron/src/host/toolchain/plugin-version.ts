import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where the docker CLI looks for plugins besides cliPluginsExtraDirs (docker/cli's default dirs, Unix). */
export function userPluginDirs(dockerConfigDir: string, platform: NodeJS.Platform = process.platform): string[] {
  const own = [path.join(dockerConfigDir, 'cli-plugins')];
  if (platform === 'win32') return [...own, path.join(process.env.ProgramData ?? 'C:\\ProgramData', 'Docker', 'cli-plugins')];
  return [...own, '/usr/local/lib/docker/cli-plugins', '/usr/local/libexec/docker/cli-plugins', '/usr/lib/docker/cli-plugins', '/usr/libexec/docker/cli-plugins'];
}

/** A plugin's version as the docker CLI learns it: `docker-<name> docker-cli-plugin-metadata`. */
export function pluginVersion(binary: string): string | undefined {
  const res = spawnSync(binary, ['docker-cli-plugin-metadata'], { encoding: 'utf8', timeout: 10_000 });
  if (res.status !== 0) return undefined;
  try {
    const v = (JSON.parse(res.stdout) as { Version?: unknown }).Version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Compares `v2.26.1`, `2.26.1-4`, `0.13.1+ds1` by their numeric parts; NaN-free (missing parts count as 0). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (v.replace(/^v/, '').split(/[-+~]/)[0] ?? '').split('.').map((p) => Number.parseInt(p, 10) || 0);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return Math.sign(d);
  }
  return 0;
}

/**
 * The user's own copy of plugin `name` that is newer than `ours`, if any (it then wins over Berth's). Plugins are
 * only run (to learn their versions) when the user has a copy: each run of a Go plugin costs a noticeable part of
 * `berth start`, and most users have none.
 */
export function newerUserPlugin(name: string, ours: string, dockerConfigDir: string): { path: string; version: string } | undefined {
  const theirs = userPluginDirs(dockerConfigDir)
    .map((dir) => path.join(dir, name))
    .filter((candidate) => existsSync(candidate));
  if (theirs.length === 0) return undefined;
  const mine = pluginVersion(ours);
  if (!mine) return undefined;
  for (const candidate of theirs) {
    const version = pluginVersion(candidate);
    if (version && compareVersions(version, mine) > 0) return { path: candidate, version };
  }
  return undefined;
}
