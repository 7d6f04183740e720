import { Conflict, InvalidArgument, errorMessage } from '../base/errors.js';
import { bundleDir, publish, type ContainerContext } from './context.js';
import { normalizeName } from './names.js';
import { unmountShareableShm } from './ipc-shm.js';
import { rootfsPaths, unmountRootfs } from './rootfs.js';
import { deleteFromRuntime } from './runtime-state.js';
import { killContainer } from './stop.js';
import type { ContainerRecord } from './types.js';

/**
 * `docker rm`: refuses a running container unless forced (then kills it first), and removes its runtime state,
 * root filesystem, network endpoints, anonymous volumes when asked (`-v`), and its files.
 */
export async function removeContainer(ctx: ContainerContext, record: ContainerRecord, opts: { force: boolean; removeVolumes: boolean }): Promise<void> {
  if (record.State.Running && !opts.force) {
    if (record.State.Paused) {
      throw new Conflict('cannot remove a paused container: unpause and then stop the container before attempting removal or force remove');
    }
    throw new Conflict(`cannot remove container "${record.Name}": container is running: stop the container before removing or force remove`);
  }
  // Waiting out a restart back-off counts as running for dockerd too.
  if (record.State.Restarting && !opts.force) {
    throw new Conflict(`cannot remove container "${record.Name}": container is restarting: stop the container before removing or force remove`);
  }
  if (record.State.Status === 'removing') throw new Conflict(`removal of container ${record.Id} is already in progress`);
  if (record.State.Running) {
    await killContainer(ctx, record, 'SIGKILL');
  }
  await finishRemoval(ctx, record, { removeVolumes: opts.removeVolumes });
}

/** The part of removal that needs no running checks; auto-remove (`--rm`) calls it after exit handling. */
export async function finishRemoval(ctx: ContainerContext, record: ContainerRecord, opts: { removeVolumes: boolean }): Promise<void> {
  if (!ctx.store.find(record.Id)) return;
  record.State = { ...record.State, Status: 'removing' };
  await deleteFromRuntime(ctx.runtimes.get(record.HostConfig.Runtime), record.Id).catch(() => undefined);
  const bundle = bundleDir(ctx, record.Id);
  await unmountRootfs(rootfsPaths(ctx.store.dir(record.Id), bundle)).catch(() => undefined);
  await unmountShareableShm(bundle);
  await Promise.all([
    (await import('node:fs/promises')).rm(bundle, { recursive: true, force: true }),
    ctx.networking.remove?.(record).catch((err: unknown) => ctx.log.warn({ id: record.Id, err: errorMessage(err) }, 'network release failed')),
  ]);
  for (const m of record.Mounts) {
    if (m.Type !== 'volume' || !m.Name || !ctx.volumes) continue;
    ctx.volumes.release(m.Name, record.Id);
    if (opts.removeVolumes && m.Anonymous) {
      await ctx.volumes.remove(m.Name).catch((err: unknown) => ctx.log.warn({ volume: m.Name, err: errorMessage(err) }, 'volume removal failed'));
    }
  }
  await ctx.store.delete(record);
  publish(ctx, record, 'destroy');
  ctx.waiters.removed(record.Id, record.State.ExitCode);
}

/** `docker rename`: dockerd's name rules and conflict message. */
export async function renameContainer(ctx: ContainerContext, record: ContainerRecord, newName: string): Promise<void> {
  const name = normalizeName(newName);
  const old = record.Name;
  if (name === old) throw new InvalidArgument('Renaming a container with the same name as its current name');
  ctx.store.reserveName(name, record.Id);
  record.Name = name;
  try {
    await ctx.store.save(record);
  } catch (err) {
    ctx.store.releaseName(name, record.Id);
    record.Name = old;
    throw err;
  }
  ctx.store.releaseName(old, record.Id);
  publish(ctx, record, 'rename', { oldName: old });
}
