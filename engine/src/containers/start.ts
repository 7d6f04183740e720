import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Conflict, NotModified, errorMessage } from '../base/errors.js';
import { resolveInRoot } from '../base/rooted-fs.js';
import { ContainerProcess } from '../runtime/index.js';
import { bundleDir, publish, type ContainerContext } from './context.js';
import { etcFilePaths, writeEtcFiles } from './etc-files.js';
import { followExit } from './exit.js';
import { startAnswered } from './start-answer.js';
import { jsonFileLog } from './log-config.js';
import { deleteFromRuntime } from './runtime-state.js';
import { mountShareableShm, shareableShmPath, unmountShareableShm } from './ipc-shm.js';
import { volumeMountSource } from './mounts.js';
import { joinedNamespaces } from './shared-namespaces.js';
import { mountRootfs, prepareRootfsDirs, rootfsMountData, rootfsPaths, unmountRootfs, type RootfsPaths } from './rootfs.js';
import { containerSpec } from './spec.js';
import { resolveLegacyLinks } from './legacy-links.js';
import type { ContainerRecord } from './types.js';

/** Volumes that get dockerd's copy-up: an empty volume mounted over image content gets that content first. */
function copyUpVolumes(ctx: ContainerContext, record: ContainerRecord): ContainerRecord['Mounts'] {
  // A subpath mount shows one dir of the volume: the image's content is not copied into it.
  return ctx.volumes ? record.Mounts.filter((m) => m.Type === 'volume' && !m.NoCopy && !m.Subpath) : [];
}

/**
 * The root filesystem: mounted here when volumes need copy-up from it, else left to the monitor (the mount options
 * it gets back), which saves a `mount` spawn.
 */
async function prepareRootfs(ctx: ContainerContext, record: ContainerRecord, rootfs: RootfsPaths, layers: string[]): Promise<string | undefined> {
  await prepareRootfsDirs(rootfs);
  const copyUp = copyUpVolumes(ctx, record);
  if (copyUp.length === 0) return rootfsMountData(rootfs, layers);
  await mountRootfs(rootfs, layers);
  for (const m of copyUp) await ctx.volumes?.copyUp(await resolveInRoot(rootfs.merged, m.Destination), m.Source);
  return undefined;
}

/** The state a started container has; its pid is filled in once the command runs. */
function runningState(record: ContainerRecord, startedAt: string): ContainerRecord['State'] {
  return {
    ...record.State,
    Status: 'running',
    Running: true,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 0,
    Error: '',
    StartedAt: startedAt,
    ...(record.Config.Healthcheck?.Test && record.Config.Healthcheck.Test[0] !== 'NONE'
      ? { Health: { Status: 'starting', FailingStreak: 0, Log: [] } }
      : {}),
  };
}

/** The OCI spec, 0600: it holds the container's environment. */
async function writeSpec(bundle: string, spec: unknown): Promise<void> {
  await fs.writeFile(path.join(bundle, 'config.json'), JSON.stringify(spec), { mode: 0o600 });
  await fs.chmod(path.join(bundle, 'config.json'), 0o600);
}

/**
 * Starts a created or exited container: prepares its monitor (which mounts its root filesystem), sets its network
 * up, writes the OCI bundle and runs it under the monitor. On failure everything taken is given back and the container is
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
  let networkUp = false;
  let proc: ContainerProcess | undefined;
  // Phase timings go to the debug log: the start path is what `docker run` latency is made of.
  const t0 = process.hrtime.bigint();
  const phases: Record<string, number> = {};
  const mark = (phase: string): void => {
    phases[phase] = Number(process.hrtime.bigint() - t0) / 1e6;
  };
  try {
    // Joining another container's namespaces needs it running: checked before anything is set up.
    const joined = joinedNamespaces(record, (x) => ctx.store.get(x), (donor) => shareableShmPath(bundleDir(ctx, donor.Id)));
    // `--network container:X` shares X's hostname and /etc/hosts, /etc/resolv.conf, /etc/hostname (dockerd's paths).
    const peer = joined.networkPeer;
    const etc = etcFilePaths(peer ? ctx.store.dir(peer.Id) : dir);
    if (peer) record.Config = { ...record.Config, Hostname: peer.Config.Hostname, Domainname: peer.Config.Domainname };
    const image = await ctx.images.resolve(record.ImageId);
    // 0700: the bundle holds the container's environment (config.json) and its mounted root filesystem.
    await fs.mkdir(bundle, { recursive: true, mode: 0o700 });
    if (record.HostConfig.IpcMode === 'shareable') {
      joined.shm = { source: await mountShareableShm(bundle, record.HostConfig.ShmSize), destination: '/dev/shm' };
    }
    // A leftover runtime container (crash between create and exit handling) would make create fail.
    await deleteFromRuntime(runtime, record.Id).catch(() => undefined);
    const cgroupsPath = `${record.HostConfig.CgroupParent || ctx.host.cgroupParent}/${record.Id}`;
    const log = jsonFileLog(record, dir);
    // The root filesystem with the monitor (which mounts it, then serves attach before the container exists) and
    // the network namespace do not depend on each other: set them up side by side.
    const [procReady, netReady] = await Promise.allSettled([
      (async () => {
        const mountOverlay = await prepareRootfs(ctx, record, rootfs, image.layers);
        const prepared = await ContainerProcess.prepare({
          id: record.Id,
          runtime,
          stateDir: path.join(bundle, 'm'),
          monitorBinary: await ctx.monitorBinary(),
          tty: record.Config.Tty,
          openStdin: record.Config.OpenStdin,
          bundle,
          cgroupsPath,
          unmountOnExit: rootfs.merged,
          ...(mountOverlay !== undefined ? { mountOverlay } : {}),
          ...(log ? { log } : {}),
        });
        mark('monitor');
        return prepared;
      })(),
      ctx.networking.setup(record, (x) => ctx.store.get(x)).then((n) => {
        mark('network');
        return n;
      }),
    ]);
    networkUp = netReady.status === 'fulfilled';
    if (procReady.status === 'fulfilled') proc = procReady.value; // for the abandon below, on any failure
    if (procReady.status === 'rejected') throw procReady.reason;
    if (netReady.status === 'rejected') throw netReady.reason;
    const net = netReady.value;
    record.NetworkSettings = net.settings;
    const links = resolveLegacyLinks(ctx, record);
    const hosts = links.hosts.length > 0 ? `${net.hosts.replace(/\n?$/, '\n')}${links.hosts.join('\n')}\n` : net.hosts;
    if (!peer) await writeEtcFiles(etc, { hostname: record.Config.Hostname, hosts, resolvConf: net.resolvConf });
    // The spec reads the image's /etc/passwd: the root filesystem is mounted by now.
    const mounts = await Promise.all(record.Mounts.map(async (m) => (m.Subpath ? { ...m, Source: await volumeMountSource(m) } : m)));
    const spec = await containerSpec({ ...record, Mounts: mounts }, {
      rootfs: rootfs.merged,
      etc,
      netns: net.netns,
      cgroupsPath,
      cgroup: ctx.host.cgroup,
      cpuCount: ctx.host.cpuCount,
      engineHardLimits: ctx.host.engineHardLimits,
      initBinary: ctx.host.initBinary,
      capabilityBound: ctx.host.capabilityBound,
      linkEnv: links.env,
      joined,
    });
    mark('spec');
    const started = procReady.value;
    const running = runningState(record, new Date().toISOString());
    // The record says "running" before the command runs, so a berthd killed while start is still being answered
    // finds the container on restart (reattached, or exited with the code its monitor recorded), never "created"
    // beside a process that ran. Not fsync'd: a kill -9 keeps the page cache, and the durable write follows.
    const ready = await Promise.allSettled([
      writeSpec(bundle, spec),
      ctx.store.persist({ ...record, State: running, MonitorPid: started.monitorPid() }, { durable: false }),
      (async () => {
        for (const hook of ctx.beforeStart) await hook(record, started);
      })(),
    ]);
    const failed = ready.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    await started.start();
    mark('run');
    ctx.processes.set(record.Id, started);
    record.State = { ...running, Pid: started.pid };
    record.MonitorPid = started.monitorPid();
    // Then the record with its pid, durably (dockerd's checkpoint after its start). Start answers once that is
    // written, once the container has already ended or after a short cap (`startAnswered`): a slow fsync (seconds
    // on a busy disk) must not outlast a short container, or a `--rm` one is exited and removed by the time the
    // client's next call arrives (docker-py's containers.run follows start with logs, inspect and wait: 404s). Its
    // exit is handled after the write, which would otherwise overwrite it.
    const exited = started.wait();
    const saved = ctx.store.save(record).then(
      () => mark('saved'),
      (err: unknown) => ctx.log.warn({ id: record.Id, err: errorMessage(err) }, 'could not record the container as started'),
    );
    mark(`answered (${await startAnswered(saved, exited)})`);
    publish(ctx, record, 'start');
    followExit(ctx, record, saved.then(() => exited));
    ctx.log.debug({ id: record.Id, ms: phases }, 'container started');
  } catch (err) {
    proc?.abandon();
    if (networkUp) await ctx.networking.teardown(record).catch(() => undefined);
    await deleteFromRuntime(runtime, record.Id).catch(() => undefined);
    await unmountRootfs(rootfs).catch(() => undefined);
    await unmountShareableShm(bundle);
    if (!(err instanceof NotModified)) {
      record.State = { ...record.State, Status: record.State.StartedAt ? 'exited' : 'created', Running: false, Pid: 0, ExitCode: 128, Error: errorMessage(err) };
      await ctx.store.save(record).catch(() => undefined);
      // `--rm`: a container that failed to start is removed, as dockerd does (`docker run --rm` waits for that).
      if (record.HostConfig.AutoRemove) {
        await ctx.removeContainer(record, { removeVolumes: true }).catch((e: unknown) => ctx.log.warn({ id: record.Id, err: errorMessage(e) }, 'auto-remove failed'));
      }
    }
    throw err;
  }
}
