import { Conflict, InvalidArgument, NotModified } from '../base/errors.js';
import { parseSignal } from '../runtime/index.js';
import { publish, type ContainerContext } from './context.js';
import { exitedUnderUs } from './runtime-state.js';
import type { ContainerRecord } from './types.js';

function notRunning(record: ContainerRecord): Conflict {
  return new Conflict(`Container ${record.Id} is not running`);
}

function signalNumber(signal: string | number): number {
  try {
    return parseSignal(signal);
  } catch {
    throw new InvalidArgument(`Invalid signal: ${signal}`);
  }
}

/** Resolves when the container's exit has been handled, or after `ms` (false) if it has not. */
async function waitForExit(ctx: ContainerContext, record: ContainerRecord, ms: number): Promise<boolean> {
  if (!record.State.Running) return true;
  const w = ctx.waiters.add(record.Id, 'not-running');
  if (ms < 0) {
    await w.promise;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = await Promise.race([w.promise.then(() => true as const), timedOut]);
  clearTimeout(timer);
  w.cancel();
  return done;
}

/**
 * Signals the container's init; `all`: every process in it. Through the monitor when that is exact (the init is
 * its child, and with its own pid namespace a SIGKILL of the init takes every process along): no runtime spawn.
 * Otherwise (paused, `--pid host`, the monitor not answering) through the runtime, with its errors.
 */
async function signalContainer(ctx: ContainerContext, record: ContainerRecord, n: number, all: boolean): Promise<void> {
  const proc = ctx.processes.get(record.Id);
  const viaMonitor = proc && !record.State.Paused && (!all || (n === 9 && record.HostConfig.PidMode !== 'host'));
  if (viaMonitor && (await proc.signal(n).then(() => true, () => false))) return;
  await ctx.runtimes.get(record.HostConfig.Runtime)?.kill(record.Id, n, { all });
}

/** `docker kill`: sends a signal (SIGKILL by default) to the container's init. */
export async function killContainer(ctx: ContainerContext, record: ContainerRecord, signal: string | number = 'SIGKILL'): Promise<void> {
  const n = signalNumber(signal);
  if (!record.State.Running) throw notRunning(record);
  // dockerd: a container someone killed is not brought back by its restart policy.
  record.ManuallyStopped = true;
  await ctx.store.save(record);
  publish(ctx, record, 'kill', { signal: String(n) });
  // A paused container cannot act on a signal until it thaws; SIGKILL works on frozen tasks.
  try {
    await signalContainer(ctx, record, n, n === 9);
  } catch (err) {
    // The init exited under us (`rm -f` of a container that is just finishing): as dockerd, not an error; its exit
    // is being recorded.
    if (!exitedUnderUs(err)) throw err;
    await waitForExit(ctx, record, 2_000);
    return;
  }
  if (n === 9) await waitForExit(ctx, record, 10_000);
}

/**
 * `docker stop`: the stop signal, then SIGKILL after the timeout; resolves once the container has exited.
 * 304 when it is not running.
 */
export async function stopContainer(ctx: ContainerContext, record: ContainerRecord, opts: { timeout?: number; signal?: string }): Promise<void> {
  if (!record.State.Running) throw new NotModified();
  record.ManuallyStopped = true;
  await ctx.store.save(record);
  const signal = opts.signal || record.Config.StopSignal || 'SIGTERM';
  const timeout = opts.timeout ?? record.Config.StopTimeout ?? 10;
  const runtime = ctx.runtimes.get(record.HostConfig.Runtime);
  const n = signalNumber(signal);
  publish(ctx, record, 'kill', { signal: String(n) });
  if (record.State.Paused) await runtime?.resume(record.Id).catch(() => undefined);
  await signalContainer(ctx, record, n, false).catch(() => undefined);
  if (!(await waitForExit(ctx, record, timeout < 0 ? -1 : timeout * 1000))) {
    publish(ctx, record, 'kill', { signal: '9' });
    await signalContainer(ctx, record, 9, true).catch(() => undefined);
    await waitForExit(ctx, record, -1);
  }
  publish(ctx, record, 'stop');
}

export async function pauseContainer(ctx: ContainerContext, record: ContainerRecord): Promise<void> {
  if (!record.State.Running) throw notRunning(record);
  if (record.State.Paused) throw new Conflict(`Container ${record.Id} is already paused`);
  await ctx.runtimes.get(record.HostConfig.Runtime)?.pause(record.Id);
  record.State = { ...record.State, Paused: true, Status: 'paused' };
  await ctx.store.save(record);
  publish(ctx, record, 'pause');
}

export async function unpauseContainer(ctx: ContainerContext, record: ContainerRecord): Promise<void> {
  if (!record.State.Paused) throw new Conflict(`Container ${record.Id} is not paused`);
  await ctx.runtimes.get(record.HostConfig.Runtime)?.resume(record.Id);
  record.State = { ...record.State, Paused: false, Status: 'running' };
  await ctx.store.save(record);
  publish(ctx, record, 'unpause');
}
