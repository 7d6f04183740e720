import { withHostname, withNamespaces, withNoNewPrivileges, withProcess, withRootfs } from './builder.js';
import { withCapabilities, type CapabilityOptions } from './capabilities.js';
import { withDevices } from './devices.js';
import { withMounts } from './mounts.js';
import { withMaskedPaths, withReadonlyPaths } from './paths.js';
import { withSeccomp, type SeccompSetting } from './seccomp.js';
import type { SpecOpt } from './types.js';
import { withUser, type ResolvedUser } from './user.js';

export interface DefaultContainerOptions {
  args: string[];
  env?: string[];
  cwd?: string;
  terminal?: boolean;
  rootfs?: string;
  hostname?: string;
  shmSize?: number;
  privileged?: boolean;
  caps?: CapabilityOptions;
  seccomp?: SeccompSetting;
  /** The engine's bounding set (`readEngineCapabilities()`); privileged and `ALL` are clamped to it. */
  availableCaps?: string[];
  /** Resolved `--user`; applied before capabilities because a non-root user gets no effective set. */
  user?: ResolvedUser;
}

/**
 * The options dockerd applies to every container, in the order they must run (capabilities before seccomp,
 * since seccomp rules depend on them). Callers append user, resources, binds... after these.
 */
export function dockerDefaults(o: DefaultContainerOptions): SpecOpt[] {
  const privileged = o.privileged ?? false;
  return [
    withProcess({ args: o.args, env: o.env ?? [], cwd: o.cwd ?? '/', terminal: o.terminal ?? false }),
    withRootfs(o.rootfs ?? 'rootfs'),
    withHostname(o.hostname ?? 'berth'),
    withNamespaces(),
    withMounts({ shmSize: o.shmSize, privileged }),
    withDevices({ privileged }),
    withMaskedPaths(privileged ? [] : undefined),
    withReadonlyPaths(privileged ? [] : undefined),
    ...(o.user ? [withUser(o.user)] : []),
    withCapabilities({ ...(o.caps ?? {}), privileged, ...(o.availableCaps ? { available: o.availableCaps } : {}) }),
    withSeccomp(o.seccomp ?? { kind: 'default' }, { privileged }),
    withNoNewPrivileges(false),
  ];
}
