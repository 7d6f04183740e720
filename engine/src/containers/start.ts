import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Conflict, NotModified, errorMessage } from '../base/errors.js';
import { resolveInRoot } from '../base/rooted-fs.js';
import { ContainerProcess } from '../runtime/index.js';
import { bundleDir, publish, type ContainerContext } from './context.js';
import { etcFilePaths, writeEtcFiles } from './etc-files.js';
import { watchExit } from './exit.js';
import { jsonFileLog } from './log-config.js';
import { deleteFromRuntime } from './runtime-state.js';
import { mountRootfs, prepareRootfsDirs, rootfsPaths, unmountRootfs } from './rootfs.js';
import { containerSpec } from './spec.js';
import type { ContainerRecord } from './types.js';

/** dockerd's copy-up: an empty volume mounted over image content gets that content first (unless `nocopy`). */
async function populateVolumes(ctx: ContainerContext, record: ContainerRecord, rootfs: string): Promise<void> {
  for (const m of record.Mounts) {
    if (m.Type !== 'volume' || m.NoCopy || !ctx.volumes) continue;
    await ctx.volumes.copyUp(await resolveInRoot(rootfs, m.Destination), m.Source);
  }
}

/**
 * Starts a created or exited container: mounts its root filesystem, sets its network up, writes the OCI bundle,
 * creates it under its own monitor and runs it. On failure everything taken is given back and the container is
 * left exited with the error, as dockerd leaves it.
 */
export async function startContainer(ctx: ContainerContext, record: ContainerRecord): Promise<void> {
  if (record.State.Paused) throw new Conflict('cannot start a paused container, try unpause instead');
  if (record.State.Running) throw new NotModified();
  if (record.State.Status === 'removing') throw new Conflict(`container is marked for removal and cannot be started`);
  const runtime = ctx.runtimes.get(record.HostConfig.Runtime);
  if (!runtime) throw new Conflict(`unknown runtime ${record.HostConfig.Runtime}: it is not available on this engine`);
  const dir = ctx.store.dir(record.Id);
  const bundle = bundleDir(ctx, record.Id);
  const rootfs = rootfsPaths(dir, bundle);
  const etc = etcFilePaths(dir);
  let networkUp = false;
  let proc: ContainerProcess | undefined;
  // Phase timings go to the debug log: the start path is what `docker run` latency is made of.
  const t0 = process.hrtime.bigint();
  const phases: Record<string, number> = {};
  const mark = (phase: string): void => {
    phases[phase] = Number(process.hrtime.bigint() - t0) / 1e6;
  };
  try {
    const image = await ctx.images.resolve(record.ImageId);
    await fs.mkdir(bundle, { recursive: true, mode: 0o711 });
    // The root filesystem and the network namespace do not depend on each other: set them up side by side.
    const [fsReady, netReady] = await Promise.allSettled([
      (async () => {
        await prepareRootfsDirs(rootfs);
        await mountRootfs(rootfs, image.layers);
        await populateVolumes(ctx, record, rootfs.merged);
        mark('rootfs');
      })(),
      ctx.networking.setup(record, (x) => ctx.store.get(x)).then((n) => {
        mark('network');
        return n;
      }),
    ]);
    networkUp = netReady.status === 'fulfilled';
    if (fsReady.status === 'rejected') throw fsReady.reason;
    if (netReady.status === 'rejected') throw netReady.reason;
    const net = netReady.value;
    await writeEtcFiles(etc, { hostname: record.Config.Hostname, hosts: net.hosts, resolvConf: net.resolvConf });
    record.NetworkSettings = net.settings;
    const cgroupsPath = `${record.HostConfig.CgroupParent || ctx.host.cgroupParent}/${record.Id}`;
    const spec = await containerSpec(record, {
      rootfs: rootfs.merged,
      etc,
      netns: net.netns,
      cgroupsPath,
      cgroup: ctx.host.cgroup,
      cpuCount: ctx.host.cpuCount,
      engineHardLimits: ctx.host.engineHardLimits,
      initBinary: ctx.host.initBinary,
      capabilityBound: ctx.host.capabilityBound,
    });
    await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec));
    mark('spec');
    // A leftover runtime container (crash between create and exit handling) would make create fail.
    await deleteFromRuntime(runtime, record.Id).catch(() => undefined);
    const log = jsonFileLog(record, dir);
    // The monitor serves attach before the container exists; start() then runs it with one runtime process.
    proc = await ContainerProcess.prepare({
      id: record.Id,
      runtime,
      stateDir: path.join(bundle, 'm'),
      monitorBinary: await ctx.monitorBinary(),
      tty: record.Config.Tty,
      openStdin: record.Config.OpenStdin,
      bundle,
      cgroupsPath,
      unmountOnExit: rootfs.merged,
      ...(log ? { log } : {}),
    });
    mark('monitor');
    for (const hook of ctx.beforeStart) await hook(record, proc);
    await proc.start();
    mark('run');
    ctx.processes.set(record.Id, proc);
    record.State = {
      ...record.State,
      Status: 'running',
      Running: true,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: proc.pid,
      ExitCode: 0,
      Error: '',
      StartedAt: new Date().toISOString(),
      ...(record.Config.Healthcheck?.Test && record.Config.Healthcheck.Test[0] !== 'NONE'
        ? { Health: { Status: 'starting', FailingStreak: 0, Log: [] } }
        : {}),
    };
    record.MonitorPid = proc.monitorPid();
    await ctx.store.save(record);
    publish(ctx, record, 'start');
    watchExit(ctx, record, proc);
    ctx.log.debug({ id: record.Id, ms: phases }, 'container started');
  } catch (err) {
    proc?.abandon();
    if (networkUp) await ctx.networking.teardown(record).catch(() => undefined);
    await deleteFromRuntime(runtime, record.Id).catch(() => undefined);
    await unmountRootfs(rootfs).catch(() => undefined);
    if (!(err instanceof NotModified)) {
      record.State = { ...record.State, Status: record.State.StartedAt ? 'exited' : 'created', Running: false, Pid: 0, ExitCode: 128, Error: errorMessage(err) };
      await ctx.store.save(record).catch(() => undefined);
    }
    throw err;
  }
}
