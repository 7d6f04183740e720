import { RootedFs, type RootedMount } from '../base/rooted-fs.js';
import { bundleDir, type ContainerContext } from './context.js';
import { etcFilePaths } from './etc-files.js';
import { mountRootfs, prepareRootfsDirs, rootfsPaths, unmountRootfs, type RootfsPaths } from './rootfs.js';
import { freezeUnlessExited } from './runtime-state.js';
import type { ContainerRecord } from './types.js';

/** Operations holding a container's root filesystem mounted, by container ID (so the last one out unmounts). */
const holders = new Map<string, number>();
/**
 * Per-container queue for the mount and unmount steps: the last holder's unmount is asynchronous, and a new holder
 * must not see the rootfs as mounted just before that unmount lands (it would then read an empty directory).
 */
const mountQueue = new Map<string, Promise<void>>();

function serialized(id: string, step: () => Promise<void>): Promise<void> {
  const next = (mountQueue.get(id) ?? Promise.resolve()).then(step, step);
  const settled = next.catch(() => undefined);
  mountQueue.set(id, settled);
  void settled.then(() => {
    if (mountQueue.get(id) === settled) mountQueue.delete(id);
  });
  return next;
}

/** One holder fewer; returns how many are left. */
function release(id: string): number {
  const left = (holders.get(id) ?? 1) - 1;
  if (left <= 0) holders.delete(id);
  else holders.set(id, left);
  return Math.max(left, 0);
}

export function containerRootfsPaths(ctx: ContainerContext, record: ContainerRecord): RootfsPaths {
  return rootfsPaths(ctx.store.dir(record.Id), bundleDir(ctx, record.Id));
}

/**
 * Runs `fn` with the container's root filesystem mounted: the running container's own mount, or (as dockerd does
 * for cp, export and diff of a stopped container) a temporary one, unmounted when the last user is done unless
 * the container started meanwhile.
 */
export async function withMountedRootfs<T>(ctx: ContainerContext, record: ContainerRecord, fn: (merged: string) => Promise<T>): Promise<T> {
  const paths = containerRootfsPaths(ctx, record);
  await serialized(record.Id, async () => {
    holders.set(record.Id, (holders.get(record.Id) ?? 0) + 1);
    if (!record.State.Running) {
      const image = await ctx.images.resolve(record.ImageId);
      await prepareRootfsDirs(paths);
      await mountRootfs(paths, image.layers);
    }
  }).catch((err: unknown) => {
    release(record.Id);
    throw err;
  });
  try {
    return await fn(paths.merged);
  } finally {
    await serialized(record.Id, async () => {
      const left = release(record.Id);
      const current = ctx.store.find(record.Id);
      if (left === 0 && current && !current.State.Running) await unmountRootfs(paths).catch(() => undefined);
    });
  }
}

/**
 * Operations holding a running container frozen, by container ID. Pause and thaw run one after the other on `turn`,
 * so a copy that starts while the last one is thawing waits for the thaw, then freezes again.
 */
interface Freezer {
  count: number;
  frozen: boolean;
  turn: Promise<void>;
}
const freezers = new Map<string, Freezer>();

function nextTurn(f: Freezer, op: () => Promise<void>): Promise<void> {
  const next = f.turn.then(op);
  f.turn = next.catch(() => undefined);
  return next;
}

/**
 * Runs `fn` with a running container frozen (its cgroup's freezer, through the runtime), as dockerd pauses a
 * container during cp: a process inside cannot swap a directory we resolved for a symlink while we read or
 * write through it. Containers that are not running, or already paused, are left as they are.
 */
export async function withFrozenContainer<T>(ctx: ContainerContext, record: ContainerRecord, fn: () => Promise<T>): Promise<T> {
  const runtime = ctx.runtimes.get(record.HostConfig.Runtime);
  let f = freezers.get(record.Id);
  if (!runtime || (!f && (!record.State.Running || record.State.Paused))) return fn();
  if (!f) {
    f = { count: 0, frozen: false, turn: Promise.resolve() };
    freezers.set(record.Id, f);
  }
  const freezer = f;
  const first = freezer.count++ === 0;
  try {
    if (first) {
      await nextTurn(freezer, async () => {
        // A container that exits meanwhile is simply read unfrozen.
        freezer.frozen = await freezeUnlessExited(runtime, record.Id);
      });
    } else {
      await freezer.turn;
    }
    return await fn();
  } finally {
    if (--freezer.count === 0) {
      await nextTurn(freezer, async () => {
        // Someone paused it for real meanwhile: that pause stands.
        if (freezer.frozen && !record.State.Paused) {
          await runtime.resume(record.Id).catch((err: unknown) => ctx.log.warn({ id: record.Id, err: String(err) }, 'could not thaw container after cp'));
        }
        freezer.frozen = false;
      });
      if (freezer.count === 0 && freezers.get(record.Id) === freezer) freezers.delete(record.Id);
    }
  }
}

export interface ViewMount extends RootedMount {
  rw: boolean;
}

/** The container's volumes, binds and generated /etc files as they appear inside it (tmpfs has no host side). */
export function containerMounts(ctx: ContainerContext, record: ContainerRecord): ViewMount[] {
  const etc = etcFilePaths(ctx.store.dir(record.Id));
  const mounts: ViewMount[] = record.Mounts.filter((m) => m.Type !== 'tmpfs' && m.Source).map((m) => ({
    destination: m.Destination,
    source: m.Source,
    rw: m.RW,
  }));
  const taken = new Set(mounts.map((m) => m.destination));
  if (record.State.StartedAt) {
    for (const [destination, source] of [['/etc/hostname', etc.hostname], ['/etc/hosts', etc.hosts], ['/etc/resolv.conf', etc.resolvConf]] as const) {
      if (!taken.has(destination)) mounts.push({ destination, source, rw: true });
    }
  }
  return mounts;
}

/** The container's filesystem as its processes see it: the rootfs with its mounts at their destinations. */
export function containerView(merged: string, mounts: ViewMount[]): RootedFs {
  return new RootedFs(merged, mounts);
}
