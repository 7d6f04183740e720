/**
 * The `dockerfile.v0` frontend's options (buildx's FrontendAttrs / FrontendOpt map) as the build options the
 * Dockerfile executor takes. Unknown keys are ignored, as BuildKit's frontend ignores them.
 */
import { InvalidArgument } from '../base/errors.js';
import type { BuildOptions } from '../build/options.js';

export function buildOptionsFromAttrs(attrs: Record<string, string>): BuildOptions {
  const buildArgs = new Map<string, string | null>();
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('build-arg:')) buildArgs.set(k.slice('build-arg:'.length), v);
    else if (k.startsWith('label:')) labels[k.slice('label:'.length)] = v;
  }
  const platform = attrs.platform ?? '';
  if (platform.includes(',')) throw new InvalidArgument('multi-platform builds are not supported by this engine');
  return {
    tags: [],
    dockerfile: attrs.filename || 'Dockerfile',
    remote: '',
    buildArgs,
    labels,
    target: attrs.target ?? '',
    platform,
    pull: attrs['image-resolve-mode'] === 'pull',
    noCache: 'no-cache' in attrs,
    quiet: false,
    rm: true,
    forceRm: true,
    networkMode: attrs['force-network-mode'] ?? '',
    extraHosts: attrs['add-hosts'] ? attrs['add-hosts'].split(',').filter(Boolean).map((h) => h.replace('=', ':')) : [],
    shmSize: Number(attrs['shm-size'] ?? 0) || 0,
    cacheFrom: [],
    auths: {},
    buildkit: true,
  };
}
