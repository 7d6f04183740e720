import { Conflict, InvalidArgument, errorMessage } from '../base/errors.js';
import { versionLessThan } from '../base/version.js';
import { bundleDir, publish, type ContainerContext } from './context.js';
import { normalizeName } from './names.js';
import { unmountShareableShm } from './ipc-shm.js';
import { rootfsPaths, unmountRootfs } from './rootfs.js';
import { deleteFromRuntime } from './runtime-state.js';
import { killContainer } from './stop.js';
import type { ContainerRecord } from './types.js';

/**
 * `docker rm`: refuses a running container unless forced (then kills it first), and removes its runtime state,
 * root filesystem, network endpoints, anonymous volumes when asked (`-v`), and its files. `apiVersion` is the
 * request's: a client below 1.42 speaks to a dockerd of 20.10 or older and gets its words (docker-py 5.0.3 and
 * scripts of that era match `You cannot remove a running container`).
 */
export async function removeContainer(
  ctx: ContainerContext,
  record: ContainerRecord,
  opts: { force: boolean; removeVolumes: boolean; apiVersion?: string },
): Promise<void> {
  // Waiting out a restart back-off counts as running for dockerd too.
  const { Running, Paused, Restarting } = record.State;
  const refused = opts.force ? undefined : Running && Paused ? 'paused' : Restarting ? 'restarting' : Running ? 'running' : undefined;
  if (refused) throw new Conflict(refusalMessage(record, refused, opts.apiVersion));
  if (record.State.Status === 'removing') throw new Conflict(`removal of container ${record.Id} is already in progress`);
  if (record.State.Running) {
    await killContainer(ctx, record, 'SIGKILL');
  }
  await finishRemoval(ctx, record, { removeVolumes: opts.removeVolumes });
}

function refusalMessage(record: ContainerRecord, state: 'running' | 'paused' | 'restarting', apiVersion: string | undefined): string {
  if (apiVersion !== undefined && versionLessThan(apiVersion, '1.42')) {
    const procedure = 'top the container before attempting removal or force remove';
    return `You cannot remove a ${state} container ${record.Id}. ${state === 'paused' ? `Unpause and then s${procedure}` : `S${procedure}`}`;
  }
  if (state === 'paused') return 'cannot remove a paused container: unpause and then stop the container before attempting removal or force remove';
  return `cannot remove container "${record.Name}": container is ${state}: stop the container before removing or force remove`;
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
