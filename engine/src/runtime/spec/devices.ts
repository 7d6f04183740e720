import { edit } from './builder.js';
import type { Device, DeviceRule, SpecOpt } from './types.js';

/** The device nodes runc/crun create in every container's /dev (besides /dev/pts and /dev/ptmx from devpts). */
export const DEFAULT_DEVICES: Device[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, fileMode: 0o666, uid: 0, gid: 0 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, fileMode: 0o666, uid: 0, gid: 0 },
];

/**
 * dockerd's default device cgroup: deny everything, allow mknod of any node (opening is still denied), and
 * read/write/mknod on the standard nodes, the pty multiplexer and pty slaves.
 */
export const DEFAULT_DEVICE_RULES: DeviceRule[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
];

export interface DeviceOptions {
  /** `--device` nodes to add (already resolved to major/minor by the caller). */
  extra?: Device[];
  extraRules?: DeviceRule[];
  /** `--privileged`: every device is allowed (host nodes are added by the caller). */
  privileged?: boolean;
}

export function withDevices(o: DeviceOptions = {}): SpecOpt {
  return edit((s) => {
    s.linux.devices = [...DEFAULT_DEVICES, ...(o.extra ?? [])];
    const rules = o.privileged ? [{ allow: true, access: 'rwm' }] : [...DEFAULT_DEVICE_RULES, ...(o.extraRules ?? [])];
    s.linux.resources = { ...(s.linux.resources ?? {}), devices: rules };
  });
}
