import type { Namespace, NamespaceType, Process, Spec, SpecOpt } from './types.js';

/** The spec version runc 1.1 and crun 1.8 both accept. */
export const OCI_VERSION = '1.0.2';

/** dockerd's default PATH when the image sets none. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The namespaces every container gets (user namespaces are opt-in, as in dockerd). */
export const DEFAULT_NAMESPACES: NamespaceType[] = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'];

/** A minimal valid spec: root user, `sh`, no mounts. Options add everything else. */
export function baseSpec(): Spec {
  return {
    ociVersion: OCI_VERSION,
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['sh'], env: [DEFAULT_PATH], cwd: '/' },
    root: { path: 'rootfs', readonly: false },
    mounts: [],
    linux: { namespaces: [] },
  };
}

/** Applies options left to right to a fresh base spec. */
export function buildSpec(...opts: SpecOpt[]): Spec {
  return opts.reduce((spec, opt) => opt(spec), baseSpec());
}

/** Wraps an in-place edit into a pure option: the edit sees a deep copy, so callers' specs never change. */
export function edit(change: (draft: Spec) => void): SpecOpt {
  return (spec) => {
    const draft = structuredClone(spec);
    change(draft);
    return draft;
  };
}

export interface ProcessOptions {
  args: string[];
  env?: string[];
  cwd?: string;
  terminal?: boolean;
  consoleSize?: { height: number; width: number };
}

/** Command, environment and working directory. PATH defaults to dockerd's when the env has none. */
export function withProcess(p: ProcessOptions): SpecOpt {
  if (p.args.length === 0) throw new Error('withProcess: args must not be empty');
  return edit((s) => {
    const env = p.env ?? [];
    const next: Process = { ...s.process, args: [...p.args], cwd: p.cwd || '/', terminal: p.terminal ?? false };
    next.env = env.some((e) => e.startsWith('PATH=')) ? [...env] : [DEFAULT_PATH, ...env];
    if (p.terminal && p.consoleSize) next.consoleSize = p.consoleSize;
    s.process = next;
  });
}

export function withRootfs(path: string): SpecOpt {
  return edit((s) => {
    s.root.path = path;
  });
}

export function withReadonlyRootfs(readonly = true): SpecOpt {
  return edit((s) => {
    s.root.readonly = readonly;
  });
}

export function withHostname(hostname: string): SpecOpt {
  return edit((s) => {
    s.hostname = hostname;
  });
}

/**
 * Sets the namespaces. `paths` joins an existing namespace instead of creating one (`--net container:x`,
 * a netns prepared by the network layer, `--pid host` is expressed by leaving the type out of `types`).
 */
export function withNamespaces(
  types: NamespaceType[] = DEFAULT_NAMESPACES,
  paths: Partial<Record<NamespaceType, string>> = {},
): SpecOpt {
  return edit((s) => {
    s.linux.namespaces = types.map((type): Namespace => {
      const path = paths[type];
      return path ? { type, path } : { type };
    });
  });
}

/** Cgroup location; absolute paths are relative to each hierarchy's root, e.g. `/berth/<id>`. */
export function withCgroupsPath(path: string): SpecOpt {
  return edit((s) => {
    s.linux.cgroupsPath = path;
  });
}

export function withNoNewPrivileges(on = true): SpecOpt {
  return edit((s) => {
    s.process.noNewPrivileges = on;
  });
}

/** Where the init binary appears inside the container (dockerd uses /sbin/docker-init). */
export const INIT_PATH_IN_CONTAINER = '/sbin/berth-init';

/**
 * `--init`: bind-mounts a static init from the host (Debian's `tini-static` or `catatonit`) and runs the command
 * under it, so zombies get reaped and signals reach the command. Both accept `init -- cmd args`.
 */
export function withInit(hostInitBinary: string): SpecOpt {
  return edit((s) => {
    s.mounts.push({
      destination: INIT_PATH_IN_CONTAINER,
      type: 'bind',
      source: hostInitBinary,
      options: ['bind', 'ro', 'nosuid', 'nodev'],
    });
    s.process.args = [INIT_PATH_IN_CONTAINER, '--', ...s.process.args];
  });
}

export function withAnnotations(annotations: Record<string, string>): SpecOpt {
  return edit((s) => {
    s.annotations = { ...(s.annotations ?? {}), ...annotations };
  });
}

export interface UserNamespaceOptions {
  /** First host uid/gid that container id 0 maps to (dockerd's `--userns-remap` subordinate range). */
  hostId: number;
  size: number;
}

/** Opt-in user namespace (dockerd's `--userns-remap`): root in the container is an unprivileged id on the host. */
export function withUserNamespace(o: UserNamespaceOptions): SpecOpt {
  return edit((s) => {
    if (!s.linux.namespaces.some((n) => n.type === 'user')) s.linux.namespaces.push({ type: 'user' });
    s.linux.uidMappings = [{ containerID: 0, hostID: o.hostId, size: o.size }];
    s.linux.gidMappings = [{ containerID: 0, hostID: o.hostId, size: o.size }];
  });
}
