import { errorMessage } from '../base/errors.js';
import type { ContainerProcess, ExitStatus } from '../runtime/index.js';
import { bundleDir, publish, type ContainerContext } from './context.js';
import { plannedNetworkSettings } from './planned-settings.js';
import { deleteFromRuntime } from './runtime-state.js';
import { unmountShareableShm } from './ipc-shm.js';
import { rootfsPaths, unmountRootfs } from './rootfs.js';
import type { ContainerRecord } from './types.js';

/** dockerd's restart back-off: 100 ms doubling per quick failure, capped at one minute, reset after 10 s of running. */
export function restartDelay(previousDelayMs: number, ranForMs: number): number {
  if (ranForMs >= 10_000 || previousDelayMs === 0) return 100;
  return Math.min(previousDelayMs * 2, 60_000);
}

const lastDelay = new Map<string, number>();

function shouldRestart(record: ContainerRecord, status: ExitStatus): boolean {
  if (record.ManuallyStopped || record.HostConfig.AutoRemove) return false;
  const p = record.HostConfig.RestartPolicy;
  switch (p.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return status.exitCode !== 0 && (p.MaximumRetryCount === 0 || record.RestartCount < p.MaximumRetryCount);
    default:
      return false;
  }
}

/** A process killed by signal N reports 128+N, as a shell (and dockerd) does. */
export function exitCodeOf(status: ExitStatus): number {
  return status.signal > 0 ? 128 + status.signal : status.exitCode;
}

/**
 * Everything that follows a container's exit: record it, release its rootfs and network, tell waiters and event
 * subscribers, then auto-remove or restart it by policy.
 */
export async function handleExit(ctx: ContainerContext, record: ContainerRecord, status: ExitStatus): Promise<void> {
  ctx.processes.delete(record.Id);
  if (!ctx.store.find(record.Id)) return;
  const code = exitCodeOf(status);
  // The process is gone: its runtime state, network and root filesystem can be released side by side.
  await Promise.all([
    deleteFromRuntime(ctx.runtimes.get(record.HostConfig.Runtime), record.Id).catch((err: unknown) =>
      ctx.log.warn({ id: record.Id, err: errorMessage(err) }, 'runtime delete failed'),
    ),
    ctx.networking.teardown(record).catch((err: unknown) => ctx.log.warn({ id: record.Id, err: errorMessage(err) }, 'network teardown failed')),
    // The monitor unmounted it already (--unmount-on-exit); this only acts for monitors of an older berthd.
    unmountRootfs(rootfsPaths(ctx.store.dir(record.Id), bundleDir(ctx, record.Id))).catch(() => undefined),
    unmountShareableShm(bundleDir(ctx, record.Id)),
  ]);
  const ranFor = Date.parse(status.finishedAt) - Date.parse(record.State.StartedAt || status.finishedAt);
  const restart = shouldRestart(record, status);
  record.State = {
    ...record.State,
    Status: restart ? 'restarting' : 'exited',
    Running: false,
    Paused: false,
    Restarting: restart,
    OOMKilled: status.oomKilled,
    Pid: 0,
    ExitCode: code,
    FinishedAt: status.finishedAt,
  };
  delete record.MonitorPid;
  record.NetworkSettings = plannedNetworkSettings(record);
  await ctx.store.save(record);
  if (status.oomKilled) publish(ctx, record, 'oom');
  publish(ctx, record, 'die', { exitCode: String(code), execDuration: String(Math.max(0, Math.round(ranFor / 1000))) });
  ctx.waiters.exited(record.Id, code);
  if (record.HostConfig.AutoRemove) {
    await ctx.removeContainer(record, { removeVolumes: true }).catch((err: unknown) => ctx.log.warn({ id: record.Id, err: errorMessage(err) }, 'auto-remove failed'));
    return;
  }
  if (restart) {
    const delay = restartDelay(lastDelay.get(record.Id) ?? 0, ranFor);
    lastDelay.set(record.Id, delay);
    ctx.scheduleRestart(record, delay);
  } else {
    lastDelay.delete(record.Id);
  }
}

/** Follows a running container's monitor until it exits, then handles the exit. */
export function watchExit(ctx: ContainerContext, record: ContainerRecord, proc: ContainerProcess): void {
  followExit(ctx, record, proc.wait());
}

/** Handles the exit `exited` resolves with (start chains it after its own write of the record). */
export function followExit(ctx: ContainerContext, record: ContainerRecord, exited: Promise<ExitStatus>): void {
  void exited
    .then((status) => handleExit(ctx, record, status))
    .catch((err: unknown) => ctx.log.error({ id: record.Id, err: errorMessage(err) }, 'exit handling failed'));
}
