/** `POST /build` query parameters as dockerd reads them (JSON-encoded maps, repeated `t`, `rm` on by default). */
import { InvalidArgument } from '../base/errors.js';
import { boolParam, jsonParam } from '../base/query.js';
import type { AuthConfig } from '../registry/auth.js';
import { parseReference, withDefaultTag, type Reference } from '../registry/reference.js';

export type NamedContext = { kind: 'dir'; dir: string } | { kind: 'image'; ref: string } | { kind: 'stage'; name: string };

export interface BuildOptions {
  tags: Reference[];
  dockerfile: string;
  remote: string;
  buildArgs: Map<string, string | null>;
  labels: Record<string, string>;
  target: string;
  platform: string;
  pull: boolean;
  noCache: boolean;
  quiet: boolean;
  rm: boolean;
  forceRm: boolean;
  networkMode: string;
  extraHosts: string[];
  shmSize: number;
  cacheFrom: string[];
  /** X-Registry-Config: credentials by registry host, for pulls of base images. */
  auths: Record<string, AuthConfig>;
  /** BuildKit only: credentials for a registry domain from the client's session, when `auths` has none for it. */
  registryAuth?: (domain: string) => Promise<AuthConfig | undefined>;
  /** BuildKit only: `RUN --mount=type=secret` contents from the client's session (undefined: no such secret). */
  secrets?: (id: string) => Promise<Buffer | undefined>;
  /**
   * BuildKit only: `RUN --mount=type=ssh`: a unix socket in `dir` relaying to the client's SSH agent `id`
   * (undefined: the client forwards no such agent).
   */
  sshAgent?: (id: string, dir: string, o: { mode: number; uid: number; gid: number }) => Promise<{ path: string; close(): Promise<void> } | undefined>;
  /** BuildKit only: `--build-context NAME=…`, what FROM NAME and COPY --from=NAME mean. */
  namedContexts?: Map<string, NamedContext>;
  /** BuildKit only: allows RUN --mount/--network (the classic builder refuses them). */
  buildkit?: boolean;
}

function decodeRegistryConfig(header: string | undefined): Record<string, AuthConfig> {
  if (!header) return {};
  try {
    const text = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    return (JSON.parse(text) as Record<string, AuthConfig> | null) ?? {};
  } catch {
    return {};
  }
}

export function parseBuildOptions(q: URLSearchParams, registryConfig: string | undefined): BuildOptions {
  const tags = q.getAll('t').filter((t) => t !== '').map((t) => {
    const r = parseReference(t);
    if (r.digest) throw new InvalidArgument(`invalid reference format`);
    return withDefaultTag(r);
  });
  // Repeated (`extrahosts=a:1&extrahosts=b:2`, docker-py) or one comma/space separated value: dockerd reads both.
  const extraHosts = q.getAll('extrahosts').flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  if (boolParam(q, 'squash')) throw new InvalidArgument('squash is only supported with experimental mode');
  const version = q.get('version') ?? '1';
  if (version === '2') throw new InvalidArgument('BuildKit builds (version=2) are not supported by this engine; use DOCKER_BUILDKIT=0');
  return {
    tags,
    dockerfile: q.get('dockerfile') ?? '',
    remote: q.get('remote') ?? '',
    buildArgs: new Map(Object.entries(jsonParam<Record<string, string | null>>(q, 'buildargs') ?? {})),
    labels: jsonParam<Record<string, string>>(q, 'labels') ?? {},
    target: q.get('target') ?? '',
    platform: q.get('platform') ?? '',
    pull: boolParam(q, 'pull'),
    noCache: boolParam(q, 'nocache'),
    quiet: boolParam(q, 'q'),
    rm: boolParam(q, 'rm', true),
    forceRm: boolParam(q, 'forcerm'),
    networkMode: q.get('networkmode') ?? '',
    extraHosts,
    shmSize: Number(q.get('shmsize') ?? 0) || 0,
    cacheFrom: jsonParam<string[]>(q, 'cachefrom') ?? [],
    auths: decodeRegistryConfig(registryConfig),
  };
}
