import { existsSync } from 'node:fs';

import path from 'node:path';
import { errorMessage } from '../base/errors.js';
import { Filters } from '../base/filters.js';
import type { Logger } from '../base/log.js';
import type { EventsService } from '../events/events.js';
import type { ImageService } from '../images/service.js';
import { ContainerProcess, type OciRuntime } from '../runtime/index.js';
import { bundleDir, type ContainerContext, type ContainerHost } from './context.js';
import { commitContainer, type CommitOptions } from './commit.js';
import { createContainer, type CreateRequest, type CreateResult } from './create.js';
import { containerSizes } from './disk-usage.js';
import { handleExit, watchExit } from './exit.js';
import type { HostConfigDefaults } from './host-config.js';
import { logPath } from './log-config.js';
import type { VolumeProvider } from './mounts.js';
import { BasicNetworking, type ContainerNetworking } from './networking.js';
import { finishRemoval, removeContainer, renameContainer } from './remove.js';
import { rootfsPaths } from './rootfs.js';
import { startContainer } from './start.js';
import { removeLegacyLink } from './legacy-links.js';
import { killContainer, pauseContainer, stopContainer, unpauseContainer } from './stop.js';
import { ContainerStore } from './store.js';
import type { ContainerRecord } from './types.js';
import { ExtensionContainerVisibility } from './extension-visibility.js';
import { inspectView, selectContainers, summaryView } from './views.js';
import { Waiters, type WaitCondition } from './waiters.js';

export interface ContainerServiceOptions {
  dataRoot: string;
  execRoot: string;
  images: ImageService;
  runtimes: Map<string, OciRuntime>;
  defaultRuntime: string;
  monitorBinary: () => Promise<string>;
  events: EventsService;
  host: ContainerHost;
  logDriver: string;
  logOpts: Record<string, string>;
  log: Logger;
  networking?: ContainerNetworking;
  volumes?: VolumeProvider;
}

/** The containers layer: lifecycle, state that survives restarts of berthd, and the API views. */
export class ContainerService {
  readonly ctx: ContainerContext;
  private readonly defaults: HostConfigDefaults;
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  /** Settings → "Show extension containers": whether plain lists include Docker extensions' containers. */
  readonly extensionContainers: ExtensionContainerVisibility;

  constructor(o: ContainerServiceOptions) {
    this.extensionContainers = ExtensionContainerVisibility.forDataRoot(o.dataRoot);
    this.defaults = {
      runtime: o.defaultRuntime,
      logDriver: o.logDriver,
      logOpts: o.logOpts,
      cgroupVersion: o.host.cgroup === 'v2' ? '2' : '1',
      runtimes: [...o.runtimes.keys()],
      // Real-time group scheduling: the v1 cpu controller's rt files (v2 has none).
      cpuRealtime: o.host.cgroup !== 'v2' && existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us'),
    };
    this.ctx = {
      dataRoot: o.dataRoot,
      execRoot: o.execRoot,
      store: new ContainerStore(path.join(o.dataRoot, 'containers')),
      images: o.images,
      runtimes: o.runtimes,
      monitorBinary: o.monitorBinary,
      events: o.events,
      networking: o.networking ?? new BasicNetworking(),
      volumes: o.volumes,
      host: o.host,
      log: o.log,
      waiters: new Waiters(),
      processes: new Map(),
      beforeStart: [],
      scheduleRestart: (record, delay) => this.scheduleRestart(record, delay),
      removeContainer: (record, opts) => finishRemoval(this.ctx, record, opts),
    };
    o.images.setImageUsers(() =>
      this.ctx.store.all().map((r) => ({ containerId: r.Id, imageId: r.ImageId, running: r.State.Running })),
    );
  }

  /** Loads containers, picks up the ones still running under their monitors, and restarts by policy. */
  async init(): Promise<void> {
    const records = await this.ctx.store.load();
    await this.extensionContainers.load();
    // Volume users are kept in memory by the volume service: tell it again who uses what.
    for (const r of records) for (const m of r.Mounts) if (m.Type === 'volume' && m.Name) this.ctx.volumes?.acquire(m.Name, r.Id);
    for (const record of records) {
      try {
        if (record.State.Running) await this.reattach(record);
        else if (this.restartsOnBoot(record)) await startContainer(this.ctx, record);
      } catch (err) {
        this.ctx.log.warn({ id: record.Id, err: errorMessage(err) }, 'could not restore container');
      }
    }
    // A container whose process ended while berthd was down (a VM reboot) is restarting by policy from the loop
    // above, its start maybe under way with a fresh namespace: its network is not a leftover. (Releasing it made
    // that start fail with "open /run/netns/…: No such file or directory" and left the container exited.)
    const running = this.ctx.store.all().filter((r) => r.State.Running || r.State.Restarting).map((r) => r.Id);
    await this.ctx.networking.reconcile?.(running).catch((err: unknown) => this.ctx.log.warn({ err: errorMessage(err) }, 'network reconcile failed'));
  }

  private restartsOnBoot(r: ContainerRecord): boolean {
    const p = r.HostConfig.RestartPolicy.Name;
    return p === 'always' || (p === 'unless-stopped' && !r.ManuallyStopped) || r.State.Restarting;
  }

  private async reattach(record: ContainerRecord): Promise<void> {
    const runtime = this.ctx.runtimes.get(record.HostConfig.Runtime);
    const stateDir = path.join(bundleDir(this.ctx, record.Id), 'm');
    const lost = { exitCode: 255, signal: 0, oomKilled: false, finishedAt: new Date().toISOString() };
    if (!runtime) return handleExit(this.ctx, record, lost);
    const proc = await ContainerProcess.reattach({
      id: record.Id, runtime, stateDir, monitorBinary: await this.ctx.monitorBinary(),
      tty: record.Config.Tty, openStdin: record.Config.OpenStdin,
      cgroupsPath: `${record.HostConfig.CgroupParent || this.ctx.host.cgroupParent}/${record.Id}`,
    }).catch(() => undefined);
    if (proc?.monitorAlive()) {
      // Start writes the record before the command runs, so its pid is the monitor's to tell.
      record.State = { ...record.State, Pid: proc.pid };
      this.ctx.processes.set(record.Id, proc);
      watchExit(this.ctx, record, proc);
      return;
    }
    // The container ended while berthd was down: record how, from what its monitor left behind.
    await handleExit(this.ctx, record, (await proc?.exitStatus()) ?? lost);
  }

  private scheduleRestart(record: ContainerRecord, delayMs: number): void {
    clearTimeout(this.restartTimers.get(record.Id));
    const timer = setTimeout(() => {
      this.restartTimers.delete(record.Id);
      const current = this.ctx.store.find(record.Id);
      if (!current || !current.State.Restarting || current.ManuallyStopped) return;
      current.RestartCount++;
      // Still "restarting" until it runs, as with dockerd: a removal without force meanwhile is refused.
      startContainer(this.ctx, current).catch((err: unknown) => {
        if (current.State.Restarting && !current.State.Running) current.State = { ...current.State, Restarting: false, Status: 'exited' };
        this.ctx.log.warn({ id: record.Id, err: errorMessage(err) }, 'restart by policy failed');
      });
    }, delayMs);
    timer.unref();
    this.restartTimers.set(record.Id, timer);
  }

  private cancelRestart(record: ContainerRecord): void {
    clearTimeout(this.restartTimers.get(record.Id));
    this.restartTimers.delete(record.Id);
    if (record.State.Restarting) record.State = { ...record.State, Restarting: false, Status: 'exited' };
  }

  get(idOrName: string): ContainerRecord {
    return this.ctx.store.get(idOrName);
  }

  create(body: CreateRequest, name: string | undefined, opts: { durable?: boolean } = {}): Promise<CreateResult> {
    return createContainer(this.ctx, body, name, this.defaults, opts);
  }

  async start(idOrName: string): Promise<void> {
    const record = this.get(idOrName);
    record.ManuallyStopped = false;
    this.cancelRestart(record);
    await startContainer(this.ctx, record);
  }

  async stop(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void> {
    const record = this.get(idOrName);
    if (record.State.Restarting) {
      record.ManuallyStopped = true;
      this.cancelRestart(record);
      await this.ctx.store.save(record);
      return;
    }
    await stopContainer(this.ctx, record, opts);
  }

  async restart(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void> {
    const record = this.get(idOrName);
    if (record.State.Running) await stopContainer(this.ctx, record, opts);
    record.ManuallyStopped = false;
    this.cancelRestart(record);
    await startContainer(this.ctx, record);
    this.ctx.events.publish('container', 'restart', record.Id, { ...record.Config.Labels, image: record.Config.Image, name: record.Name.slice(1) });
  }

  kill(idOrName: string, signal?: string): Promise<void> {
    return killContainer(this.ctx, this.get(idOrName), signal || 'SIGKILL');
  }

  pause(idOrName: string): Promise<void> {
    return pauseContainer(this.ctx, this.get(idOrName));
  }

  unpause(idOrName: string): Promise<void> {
    return unpauseContainer(this.ctx, this.get(idOrName));
  }

  async remove(idOrName: string, opts: { force: boolean; removeVolumes: boolean; link?: boolean; apiVersion?: string }): Promise<void> {
    if (opts.link) return removeLegacyLink(this.ctx, idOrName);
    const record = this.get(idOrName);
    // A container waiting out its restart back-off is refused without force (removeContainer says so).
    if (opts.force || !record.State.Restarting) this.cancelRestart(record);
    await removeContainer(this.ctx, record, opts);
  }

  /** `docker commit`: 201 `{Id}` of the new image. */
  async commit(idOrName: string, opts: CommitOptions): Promise<{ Id: string }> {
    return { Id: await commitContainer(this.ctx, this.get(idOrName), opts) };
  }

  rename(idOrName: string, newName: string): Promise<void> {
    return renameContainer(this.ctx, this.get(idOrName), newName);
  }

  /** Registers a waiter now (so no exit slips by), and returns its promise of an exit code. */
  wait(idOrName: string, condition: WaitCondition): { promise: Promise<number>; cancel: () => void } {
    const record = this.get(idOrName);
    if (condition === 'not-running' && !record.State.Running && !record.State.Restarting) {
      return { promise: Promise.resolve(record.State.ExitCode), cancel: () => undefined };
    }
    return this.ctx.waiters.add(record.Id, condition);
  }

  async inspect(idOrName: string, opts: { size?: boolean } = {}): Promise<Record<string, unknown>> {
    const record = this.get(idOrName);
    const dir = this.ctx.store.dir(record.Id);
    const layers = await this.ctx.images.resolve(record.ImageId).then((i) => i.layers, () => []);
    const view = inspectView(record, {
      dir,
      logPath: logPath(dir, record.Id),
      merged: rootfsPaths(dir, bundleDir(this.ctx, record.Id)).merged,
      lowerDirs: layers,
    });
    return opts.size ? { ...view, ...(await containerSizes(this.ctx, record)) } : view;
  }

  /** `raw`: asked on docker.sock.raw, which hides no extension container (api/raw-connections.ts). */
  async list(opts: { all: boolean; limit: number; filters: string | null; size?: boolean; raw?: boolean }): Promise<Record<string, unknown>[]> {
    const filters = Filters.parse(opts.filters);
    const selected = selectContainers(
      this.ctx.store.all(),
      { all: opts.all, limit: opts.limit, filters, hidden: (r) => !opts.raw && this.extensionContainers.hides(r.Config.Labels, filters) },
      (x) => this.ctx.store.find(x),
      (ref, imageId) => {
        try {
          return this.ctx.images.get(ref).id === imageId;
        } catch {
          return imageId.replace(/^sha256:/, '').startsWith(ref.replace(/^sha256:/, ''));
        }
      },
    );
    if (!opts.size) return selected.map(summaryView);
    return Promise.all(selected.map(async (r) => ({ ...summaryView(r), ...(await containerSizes(this.ctx, r)) })));
  }

  counts(): { total: number; running: number; paused: number; stopped: number } {
    const all = this.ctx.store.all();
    const running = all.filter((r) => r.State.Running && !r.State.Paused).length;
    const paused = all.filter((r) => r.State.Paused).length;
    return { total: all.length, running, paused, stopped: all.length - running - paused };
  }

  /**
   * berthd is stopping: containers keep running under their monitors (live restore); only timers stop, and the
   * files of removed containers finish going.
   */
  async close(): Promise<void> {
    for (const t of this.restartTimers.values()) clearTimeout(t);
    this.restartTimers.clear();
    await this.ctx.store.settled();
  }
}

