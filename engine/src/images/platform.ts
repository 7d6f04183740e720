/** Platform matching for multi-arch indexes: the engine's own platform, or the one a client asks for. */
import { InvalidArgument } from '../base/errors.js';
import type { Descriptor, Platform } from '../registry/mediatypes.js';

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

export function hostPlatform(): Platform {
  const architecture = ARCH[process.arch] ?? process.arch;
  return architecture === 'arm64' ? { os: 'linux', architecture, variant: 'v8' } : { os: 'linux', architecture };
}

/** Parses `os[/arch[/variant]]` as `/images/create?platform=` carries it. */
export function parsePlatform(spec: string): Platform {
  const parts = spec.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw new InvalidArgument(`"${spec}": unknown operating system or architecture: invalid argument`);
  }
  let [os, architecture, variant] = parts as [string, string?, string?];
  if (architecture === undefined) {
    // A lone architecture (`arm64`) is accepted by containerd's parser.
    if (os !== 'linux' && os !== 'windows') [os, architecture] = ['linux', os];
    else architecture = hostPlatform().architecture;
  }
  if (architecture === 'x86_64' || architecture === 'x86-64') architecture = 'amd64';
  if (architecture === 'aarch64') architecture = 'arm64';
  if (architecture === 'arm64' && variant === undefined) variant = 'v8';
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Parses the JSON platform (`{"os","architecture","variant"}`) other endpoints take. */
export function parseJsonPlatform(raw: string | null): Platform | undefined {
  if (!raw) return undefined;
  try {
    const p = JSON.parse(raw) as Partial<Platform>;
    if (!p.os && !p.architecture) return undefined;
    return parsePlatform([p.os || 'linux', p.architecture || hostPlatform().architecture, p.variant].filter(Boolean).join('/'));
  } catch (err) {
    if (err instanceof InvalidArgument) throw err;
    throw new InvalidArgument(`invalid platform: ${(err as Error).message}`);
  }
}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

export function platformMatches(want: Platform, have: Partial<Platform> | undefined): boolean {
  if (!have || have.os !== want.os || have.architecture !== want.architecture) return false;
  const v = have.variant ?? (have.architecture === 'arm64' ? 'v8' : undefined);
  return want.variant === undefined || v === undefined || v === want.variant;
}

/** Picks the manifest for `want` from an index, preferring an exact variant match. */
export function selectManifest(manifests: Descriptor[], want: Platform): Descriptor | undefined {
  const candidates = manifests.filter((m) => platformMatches(want, m.platform));
  return candidates.find((m) => (m.platform?.variant ?? undefined) === want.variant) ?? candidates[0];
}
