import { InvalidArgument } from '../base/errors.js';
import {
  DEFAULT_NAMESPACES,
  buildSpec,
  dockerDefaults,
  readUserDb,
  resolveUser,
  withBindMounts,
  withCgroupsPath,
  withInit,
  withMaskedPaths,
  withNamespaces,
  withReadonlyPaths,
  withReadonlyRootfs,
  withResources,
  withRlimits,
  withTmpfs,
  edit,
  type BindMount,
  type ResourceOptions,
  type NamespaceType,
  type SeccompSetting,
  type Spec,
  type SpecOpt,
} from '../runtime/index.js';
import { parseDeviceCgroupRule } from './cgroup-rules.js';
import { entrypointAndArgs } from './config-merge.js';
import type { EtcFiles } from './etc-files.js';
import type { NetnsChoice } from './networking.js';
import type { JoinedNamespaces } from './shared-namespaces.js';
import type { ContainerRecord, HostConfig } from './types.js';

/** HostConfig's resource fields as the runtime layer's options: checked at create, applied at start. */
export function resourceOptionsOf(h: HostConfig): ResourceOptions {
  return {
    memory: h.Memory, memorySwap: h.MemorySwap, memoryReservation: h.MemoryReservation,
    ...(h.MemorySwappiness !== null ? { memorySwappiness: h.MemorySwappiness } : {}),
    nanoCpus: h.NanoCpus, cpuShares: h.CpuShares, cpuPeriod: h.CpuPeriod, cpuQuota: h.CpuQuota,
    cpusetCpus: h.CpusetCpus, cpusetMems: h.CpusetMems,
    ...(h.PidsLimit !== null ? { pidsLimit: h.PidsLimit } : {}),
    ...(h.OomKillDisable !== null ? { oomKillDisable: h.OomKillDisable } : {}),
  };
}

export interface SpecContext {
  rootfs: string;
  etc: EtcFiles;
  netns: NetnsChoice;
  cgroupsPath: string;
  cgroup: 'v1' | 'v2';
  cpuCount: number;
  engineHardLimits: Record<string, number>;
  /** A static init on the host for `--init` (tini-static or catatonit). */
  initBinary: string | undefined;
  /** Capabilities the engine holds; `--privileged` and `--cap-add ALL` give these, not more. */
  capabilityBound: string[];
  /** Legacy link variables, which the container's own Env overrides. */
  linkEnv?: string[];
  /** Namespaces taken from other containers (`--pid/--ipc container:X`) and the /dev/shm that goes with them. */
  joined: JoinedNamespaces;
}

function securityOptions(opts: string[] | null): { seccomp: SeccompSetting; noNewPrivileges: boolean } {
  let seccomp: SeccompSetting = { kind: 'default' };
  let noNewPrivileges = false;
  for (const opt of opts ?? []) {
    const [key = '', value = ''] = opt.includes('=') ? [opt.slice(0, opt.indexOf('=')), opt.slice(opt.indexOf('=') + 1)] : opt.split(':');
    if (key === 'seccomp') seccomp = value === 'unconfined' ? { kind: 'unconfined' } : { kind: 'profile', json: value };
    else if (key === 'no-new-privileges') noNewPrivileges = value === '' || value === 'true';
    else if (key === 'label' || key === 'apparmor' || key === 'systempaths') continue;
    else throw new InvalidArgument(`invalid --security-opt: ${JSON.stringify(opt)}`);
  }
  return { seccomp, noNewPrivileges };
}

/** The namespaces to create or join, from the network choice and the IPC/PID/UTS/cgroupns modes. */
function namespaces(record: ContainerRecord, netns: NetnsChoice, joined: JoinedNamespaces): SpecOpt {
  const h = record.HostConfig;
  const types = new Set<NamespaceType>(DEFAULT_NAMESPACES);
  const paths: Partial<Record<NamespaceType, string>> = { ...joined.paths };
  if (netns.kind === 'host') types.delete('network');
  if (netns.kind === 'path') paths.network = netns.path;
  if (h.PidMode === 'host') types.delete('pid');
  if (h.IpcMode === 'host' || joined.hostIpc) types.delete('ipc');
  if (h.UTSMode === 'host') types.delete('uts');
  if (h.CgroupnsMode === 'host') types.delete('cgroup');
  return withNamespaces([...types], paths);
}

/** The OCI spec for a container, from its record: dockerd's defaults, then the user's options on top. */
export async function containerSpec(record: ContainerRecord, ctx: SpecContext): Promise<Spec> {
  const c = record.Config;
  const h = record.HostConfig;
  const { path, args } = entrypointAndArgs(c);
  const user = resolveUser(c.User || '0', await readUserDb(ctx.rootfs), h.GroupAdd ?? []);
  const own = new Set(c.Env.map((e) => e.split('=')[0]));
  const env = [...(ctx.linkEnv ?? []).filter((e) => !own.has(e.split('=')[0])), ...c.Env];
  if (!env.some((e) => e.startsWith('HOSTNAME='))) env.unshift(`HOSTNAME=${c.Hostname}`);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home || '/'}`);
  if (c.Tty && !env.some((e) => e.startsWith('TERM='))) env.push('TERM=xterm');
  const sec = securityOptions(h.SecurityOpt);
  const binds: BindMount[] = [
    { source: ctx.etc.resolvConf, destination: '/etc/resolv.conf' },
    { source: ctx.etc.hostname, destination: '/etc/hostname' },
    { source: ctx.etc.hosts, destination: '/etc/hosts' },
    ...(typeof ctx.joined.shm === 'object' ? [ctx.joined.shm] : []),
    ...record.Mounts.filter((m) => m.Type !== 'tmpfs').map(
      (m): BindMount => ({ source: m.Source, destination: m.Destination, readonly: !m.RW, ...(m.Propagation ? { propagation: m.Propagation as BindMount['propagation'] } : {}) }),
    ),
  ];
  const tmpfs: Record<string, string> = { ...(h.Tmpfs ?? {}) };
  for (const m of record.Mounts) if (m.Type === 'tmpfs') tmpfs[m.Destination] = m.RW ? '' : 'ro';
  const opts: SpecOpt[] = [
    ...dockerDefaults({
      args: [path, ...args],
      env,
      cwd: c.WorkingDir || '/',
      terminal: c.Tty,
      rootfs: ctx.rootfs,
      hostname: c.Hostname,
      shmSize: h.ShmSize,
      privileged: h.Privileged,
      caps: { add: h.CapAdd ?? [], drop: h.CapDrop ?? [] },
      seccomp: sec.seccomp,
      user,
      availableCaps: ctx.capabilityBound,
    }),
    namespaces(record, ctx.netns, ctx.joined),
    withCgroupsPath(ctx.cgroupsPath),
    withReadonlyRootfs(h.ReadonlyRootfs),
    withBindMounts(binds),
    withTmpfs(tmpfs),
    withResources(resourceOptionsOf(h), { cgroup: ctx.cgroup, cpuCount: ctx.cpuCount }),
    withRlimits((h.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })), ctx.engineHardLimits),
    edit((s) => {
      // `--ipc none`: no /dev/shm at all, as dockerd.
      if (ctx.joined.shm === 'none' && !h.Tmpfs?.['/dev/shm'] && !record.Mounts.some((m) => m.Destination === '/dev/shm')) {
        s.mounts = s.mounts.filter((m) => m.destination !== '/dev/shm');
      }
      s.process.noNewPrivileges = sec.noNewPrivileges;
      if (h.OomScoreAdj !== 0) s.process.oomScoreAdj = h.OomScoreAdj;
      if (h.Sysctls) s.linux.sysctl = { ...h.Sysctls };
      const rules = (h.DeviceCgroupRules ?? []).map(parseDeviceCgroupRule);
      if (rules.length > 0) s.linux.resources = { ...s.linux.resources, devices: [...(s.linux.resources?.devices ?? []), ...rules] };
      if (h.CpuRealtimePeriod > 0 || h.CpuRealtimeRuntime > 0) {
        const cpu = { ...s.linux.resources?.cpu, ...(h.CpuRealtimePeriod > 0 ? { realtimePeriod: h.CpuRealtimePeriod } : {}), ...(h.CpuRealtimeRuntime > 0 ? { realtimeRuntime: h.CpuRealtimeRuntime } : {}) };
        s.linux.resources = { ...s.linux.resources, cpu };
      }
      if (c.Tty && h.ConsoleSize[0] > 0) s.process.consoleSize = { height: h.ConsoleSize[0], width: h.ConsoleSize[1] };
    }),
  ];
  if (h.MaskedPaths !== null) opts.push(withMaskedPaths(h.MaskedPaths));
  if (h.ReadonlyPaths !== null) opts.push(withReadonlyPaths(h.ReadonlyPaths));
  if (h.Init) {
    if (!ctx.initBinary) throw new InvalidArgument('--init needs tini or catatonit on the engine host (Debian packages tini / catatonit)');
    opts.push(withInit(ctx.initBinary));
  }
  return buildSpec(...opts);
}
