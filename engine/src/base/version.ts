import { readFileSync } from 'node:fs';

/** The newest Docker Engine API version berthd speaks; also the default for unversioned requests. */
export const API_VERSION = '1.51';
/** The oldest API version berthd accepts (dockerd 28 accepts down to 1.24, which keeps Compose v1 working). */
export const MIN_API_VERSION = '1.24';

interface BuildInfo {
  version: string;
  gitCommit: string;
  buildTime: string;
}

function loadBuildInfo(): BuildInfo {
  // dist/base/version.js → dist/build-info.json, written by scripts/build; absent in a plain `tsc` build.
  try {
    const raw = readFileSync(new URL('../build-info.json', import.meta.url), 'utf8');
    return JSON.parse(raw) as BuildInfo;
  } catch {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return { version: pkg.version, gitCommit: 'dev', buildTime: '' };
  }
}

export const BUILD_INFO: BuildInfo = loadBuildInfo();
export const ENGINE_VERSION = BUILD_INFO.version;

/** Compares dotted API versions numerically: `1.9` < `1.24`. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((n) => Number.parseInt(n, 10));
  const pb = b.split('.').map((n) => Number.parseInt(n, 10));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function versionLessThan(a: string, b: string): boolean {
  return compareVersions(a, b) < 0;
}

export function versionAtLeast(a: string, b: string): boolean {
  return compareVersions(a, b) >= 0;
}
