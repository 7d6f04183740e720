import { InvalidArgument } from '../../base/errors.js';
import { edit } from './builder.js';
import type { Mount, Spec, SpecOpt } from './types.js';

/** dockerd's default /dev/shm size (`--shm-size` default): 64 MiB. */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** Replaces any mount at the same destination, so a user's mount wins over a default (as in dockerd). */
function putMount(s: Spec, m: Mount): void {
  s.mounts = s.mounts.filter((x) => x.destination !== m.destination);
  s.mounts.push(m);
}

export interface DefaultMountOptions {
  /** Bytes for /dev/shm; dockerd's `--shm-size`. */
  shmSize?: number;
  /** `--privileged` mounts /sys and the cgroup tree read-write. */
  privileged?: boolean;
}

/** The kernel filesystems every container gets, with dockerd's options. */
export function withMounts(o: DefaultMountOptions = {}): SpecOpt {
  const shm = o.shmSize ?? DEFAULT_SHM_SIZE;
  if (!Number.isInteger(shm) || shm <= 0) throw new InvalidArgument('SHM size can not be less than 0');
  const sysMode = o.privileged ? 'rw' : 'ro';
  const defaults: Mount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', sysMode] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', sysMode],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shm}`],
    },
  ];
  return edit((s) => {
    for (const m of defaults) putMount(s, m);
  });
}

/**
 * `--tmpfs /path[:opts]`. dockerd's defaults are `noexec,nosuid,nodev` and the user's options are appended, so a
 * later `exec` or `size=` overrides.
 */
export function withTmpfs(tmpfs: Record<string, string>): SpecOpt {
  return edit((s) => {
    for (const [dest, opts] of Object.entries(tmpfs)) {
      if (!dest.startsWith('/')) throw new InvalidArgument(`invalid mount path: '${dest}' mount path must be absolute`);
      const user = opts ? opts.split(',').filter(Boolean) : [];
      putMount(s, { destination: dest, type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', ...user] });
    }
  });
}

export type Propagation = 'private' | 'rprivate' | 'shared' | 'rshared' | 'slave' | 'rslave';

export interface BindMount {
  source: string;
  destination: string;
  readonly?: boolean;
  /** dockerd's default is `rprivate`. */
  propagation?: Propagation;
  /** `nonrecursive` binds (dockerd's `bind-recursive=disabled`). */
  recursive?: boolean;
}

/** Volumes and `-v /host:/ctr[:ro]` binds. Shared/slave propagation also makes the root propagate that way. */
export function withBindMounts(binds: BindMount[]): SpecOpt {
  return edit((s) => {
    for (const b of binds) {
      if (!b.destination.startsWith('/')) {
        throw new InvalidArgument(`invalid mount config for type "bind": invalid mount path: '${b.destination}' mount path must be absolute`);
      }
      const propagation = b.propagation ?? 'rprivate';
      const options = [b.recursive === false ? 'bind' : 'rbind', b.readonly ? 'ro' : 'rw', propagation];
      putMount(s, { destination: b.destination, type: 'bind', source: b.source, options });
      // A shared or slave bind only propagates if the container's root is not private (runc and dockerd agree).
      if (propagation.includes('shared')) s.linux.rootfsPropagation = 'rshared';
      else if (propagation.includes('slave') && s.linux.rootfsPropagation !== 'rshared') {
        s.linux.rootfsPropagation = 'rslave';
      }
    }
  });
}
