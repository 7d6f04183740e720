/**
 * BuildKit's automatic platform ARGs: defined in the global scope without an ARG line (so usable in FROM, and in a
 * stage after a bare `ARG TARGETPLATFORM`). The build platform is this machine's; the target platform is
 * `--platform` when given, else the build platform. Platforms are written normalized, as containerd formats them
 * (`linux/arm64`, not `linux/arm64/v8`).
 */
import { hostPlatform, parsePlatform } from '../images/platform.js';
import type { Platform } from '../registry/mediatypes.js';

function normalized(p: Platform): Platform {
  return p.architecture === 'arm64' && p.variant === 'v8' ? { os: p.os, architecture: p.architecture } : p;
}

function describe(prefix: 'BUILD' | 'TARGET', p: Platform): Array<[string, string]> {
  return [
    [`${prefix}PLATFORM`, [p.os, p.architecture, p.variant].filter(Boolean).join('/')],
    [`${prefix}OS`, p.os],
    [`${prefix}ARCH`, p.architecture],
    [`${prefix}VARIANT`, p.variant ?? ''],
  ];
}

export function platformArgs(targetSpec: string): Map<string, string> {
  const build = normalized(hostPlatform());
  const target = targetSpec ? normalized(parsePlatform(targetSpec)) : build;
  return new Map([...describe('BUILD', build), ...describe('TARGET', target)]);
}
