import { Conflict, InvalidArgument } from '../base/errors.js';
import type { BindMount, NamespaceType } from '../runtime/index.js';
import type { ContainerRecord } from './types.js';

// `--pid container:X`, `--ipc container:X` and `--network container:X` (Compose's `pid: service:x`, `ipc:
// service:x`, `network_mode: service:x`): the container joins namespaces of another, running one, as dockerd does.

const IPC_MODES = ['', 'host', 'private', 'shareable', 'none'];

/** dockerd's create-time check of `IpcMode` and `PidMode`, with its messages. */
export function validateNamespaceModes(ipcMode: string, pidMode: string): void {
  if (!IPC_MODES.includes(ipcMode) && !/^container:.+/.test(ipcMode)) throw new InvalidArgument(`invalid IPC mode: ${ipcMode}`);
  if (!['', 'host'].includes(pidMode) && !/^container:.+/.test(pidMode)) throw new InvalidArgument(`invalid PID mode: ${pidMode}`);
}

/** The other container named by a `container:X` mode, or undefined for any other mode. */
function donorName(mode: string): string | undefined {
  return mode.startsWith('container:') ? mode.slice('container:'.length) : undefined;
}

/** The running container `name`, or dockerd's error for joining `what` (400 missing, 409 not running). */
function runningDonor(name: string, what: string, lookup: (idOrName: string) => ContainerRecord): ContainerRecord {
  let donor: ContainerRecord;
  try {
    donor = lookup(name);
  } catch (err) {
    throw new InvalidArgument(`failed to join ${what} namespace: ${(err as Error).message}`, { cause: err });
  }
  if (!donor.State.Running || donor.State.Pid <= 0) throw new Conflict(`failed to join ${what} namespace: container ${donor.Id} is not running`);
  if (donor.State.Restarting) throw new Conflict(`failed to join ${what} namespace: container ${donor.Id} is restarting, wait until the container is running`);
  return donor;
}

/** What a container takes from others at start: the PID and IPC namespaces to join, and its network peer. */
export interface JoinedNamespaces {
  /** `/proc/<pid>/ns/<type>` of the donors. */
  paths: Partial<Record<NamespaceType, string>>;
  /** The IPC donor runs with `--ipc host`: so does this container. */
  hostIpc: boolean;
  /**
   * The mount at /dev/shm when it is not the container's own tmpfs: the donor's (joined IPC), the host's (`--ipc
   * host`), or none (`--ipc none`). `--ipc shareable` is set by the start, which mounts that tmpfs on the host.
   */
  shm: BindMount | 'none' | undefined;
  /** `--network container:X`: X, whose hostname and /etc files the container shares, as dockerd does. */
  networkPeer: ContainerRecord | undefined;
}

/** Resolves the donors of a container's `container:X` modes; fails as dockerd does when one cannot be joined. */
export function joinedNamespaces(
  record: ContainerRecord,
  lookup: (idOrName: string) => ContainerRecord,
  /** Where a `--ipc shareable` container's /dev/shm tmpfs is mounted on the host. */
  shareableShm: (donor: ContainerRecord) => string,
): JoinedNamespaces {
  const h = record.HostConfig;
  const out: JoinedNamespaces = { paths: {}, hostIpc: false, shm: undefined, networkPeer: undefined };
  const pidDonor = donorName(h.PidMode);
  if (pidDonor !== undefined) out.paths.pid = `/proc/${runningDonor(pidDonor, 'PID', lookup).State.Pid}/ns/pid`;
  const ipcDonor = donorName(h.IpcMode);
  if (ipcDonor !== undefined) {
    const donor = runningDonor(ipcDonor, 'IPC', lookup);
    if (donor.HostConfig.IpcMode === 'host') {
      out.hostIpc = true;
      out.shm = { source: '/dev/shm', destination: '/dev/shm' };
    } else if (donor.HostConfig.IpcMode === 'shareable') {
      out.paths.ipc = `/proc/${donor.State.Pid}/ns/ipc`;
      out.shm = { source: shareableShm(donor), destination: '/dev/shm' };
    } else {
      throw new InvalidArgument(`failed to join IPC namespace: container ${ipcDonor}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
    }
  } else if (h.IpcMode === 'host') {
    out.shm = { source: '/dev/shm', destination: '/dev/shm' };
  } else if (h.IpcMode === 'none') {
    out.shm = 'none';
  }
  const netPeer = donorName(h.NetworkMode);
  if (netPeer !== undefined) out.networkPeer = lookup(netPeer);
  return out;
}
