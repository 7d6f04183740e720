import { InvalidArgument } from '../base/errors.js';
import { goFieldNames } from '../base/go-json.js';
import { parseDeviceCgroupRule, validateCpuRealtime, validateStorageOpt } from './cgroup-rules.js';
import { validateNamespaceModes } from './shared-namespaces.js';
import type { HostConfig, RestartPolicy } from './types.js';

export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

export interface HostConfigDefaults {
  runtime: string;
  logDriver: string;
  logOpts: Record<string, string>;
  cgroupVersion: '1' | '2';
  runtimes: string[];
  /** Whether the kernel schedules real-time tasks per cgroup (`CpuRealtime*` can be applied). */
  cpuRealtime?: boolean;
}

/** HostConfig fields the normalized form leaves out when unset. */
const OPTIONAL_FIELDS = ['StorageOpt', 'Tmpfs', 'Sysctls', 'Annotations', 'Mounts', 'MaskedPaths', 'ReadonlyPaths'];
let hostConfigFields: string[] | undefined;

const POLICIES = ['no', 'always', 'unless-stopped', 'on-failure'];

/** dockerd's restart policy validation, with its messages. */
export function validateRestartPolicy(p: RestartPolicy, autoRemove: boolean): RestartPolicy {
  const name = p.Name === '' ? 'no' : p.Name;
  if (!POLICIES.includes(name)) {
    throw new InvalidArgument(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  const retries = p.MaximumRetryCount ?? 0;
  if (retries < 0) throw new InvalidArgument('invalid restart policy: maximum retry count cannot be negative');
  if (retries > 0 && name !== 'on-failure') {
    throw new InvalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (autoRemove && name !== 'no') {
    throw new InvalidArgument("can't create 'AutoRemove' container with restart policy");
  }
  return { Name: name as RestartPolicy['Name'], MaximumRetryCount: retries };
}

/** HostConfig with dockerd's defaults filled in, validated. */
export function normalizeHostConfig(input: Partial<HostConfig> | undefined, d: HostConfigDefaults): HostConfig {
  if (!hostConfigFields) {
    // The field list is the normalized form's keys: found once, by normalizing an empty HostConfig.
    hostConfigFields = OPTIONAL_FIELDS;
    hostConfigFields = [...Object.keys(normalizeHostConfig({}, d)), ...OPTIONAL_FIELDS];
  }
  const h = goFieldNames(input ?? {}, hostConfigFields);
  const autoRemove = h.AutoRemove ?? false;
  const runtime = h.Runtime && h.Runtime !== '' ? h.Runtime : d.runtime;
  if (!d.runtimes.includes(runtime)) throw new InvalidArgument(`unknown or invalid runtime name: ${runtime}`);
  const network = !h.NetworkMode || h.NetworkMode === 'default' ? 'bridge' : h.NetworkMode;
  const logType = h.LogConfig?.Type && h.LogConfig.Type !== '' ? h.LogConfig.Type : d.logDriver;
  if (!['json-file', 'local', 'none'].includes(logType)) {
    // dockerd looks an unknown driver up as a logging plugin, and says so.
    throw new InvalidArgument(`error looking up logging plugin ${logType}: plugin "${logType}" not found`);
  }
  validateNamespaceModes(h.IpcMode ?? '', h.PidMode ?? '');
  const shm = h.ShmSize ?? 0;
  if (shm < 0) throw new InvalidArgument('SHM size can not be less than 0');
  for (const rule of h.DeviceCgroupRules ?? []) parseDeviceCgroupRule(rule);
  validateCpuRealtime(h.CpuRealtimePeriod ?? 0, h.CpuRealtimeRuntime ?? 0, d.cpuRealtime === true);
  validateStorageOpt(h.StorageOpt);
  return {
    Binds: h.Binds ?? null,
    ContainerIDFile: h.ContainerIDFile ?? '',
    LogConfig: { Type: logType, Config: h.LogConfig?.Config ?? (logType === d.logDriver ? d.logOpts : {}) },
    NetworkMode: network,
    PortBindings: h.PortBindings ?? {},
    RestartPolicy: validateRestartPolicy(h.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 }, autoRemove),
    AutoRemove: autoRemove,
    VolumeDriver: h.VolumeDriver ?? '',
    VolumesFrom: h.VolumesFrom ?? null,
    ConsoleSize: h.ConsoleSize ?? [0, 0],
    ...(h.Annotations ? { Annotations: h.Annotations } : {}),
    CapAdd: h.CapAdd ?? null,
    CapDrop: h.CapDrop ?? null,
    CgroupnsMode: h.CgroupnsMode || (d.cgroupVersion === '2' ? 'private' : 'host'),
    Dns: h.Dns ?? [],
    DnsOptions: h.DnsOptions ?? [],
    DnsSearch: h.DnsSearch ?? [],
    ExtraHosts: h.ExtraHosts ?? null,
    GroupAdd: h.GroupAdd ?? null,
    IpcMode: h.IpcMode || 'private',
    Cgroup: h.Cgroup ?? '',
    Links: h.Links ?? null,
    OomScoreAdj: h.OomScoreAdj ?? 0,
    PidMode: h.PidMode ?? '',
    Privileged: h.Privileged ?? false,
    PublishAllPorts: h.PublishAllPorts ?? false,
    ReadonlyRootfs: h.ReadonlyRootfs ?? false,
    SecurityOpt: h.SecurityOpt ?? null,
    ...(h.StorageOpt ? { StorageOpt: h.StorageOpt } : {}),
    ...(h.Tmpfs ? { Tmpfs: h.Tmpfs } : {}),
    UTSMode: h.UTSMode ?? '',
    UsernsMode: h.UsernsMode ?? '',
    ShmSize: shm === 0 ? DEFAULT_SHM_SIZE : shm,
    ...(h.Sysctls ? { Sysctls: h.Sysctls } : {}),
    Runtime: runtime,
    Isolation: h.Isolation ?? '',
    CpuShares: h.CpuShares ?? 0,
    Memory: h.Memory ?? 0,
    NanoCpus: h.NanoCpus ?? 0,
    CgroupParent: h.CgroupParent ?? '',
    BlkioWeight: h.BlkioWeight ?? 0,
    BlkioWeightDevice: h.BlkioWeightDevice ?? [],
    BlkioDeviceReadBps: h.BlkioDeviceReadBps ?? [],
    BlkioDeviceWriteBps: h.BlkioDeviceWriteBps ?? [],
    BlkioDeviceReadIOps: h.BlkioDeviceReadIOps ?? [],
    BlkioDeviceWriteIOps: h.BlkioDeviceWriteIOps ?? [],
    CpuPeriod: h.CpuPeriod ?? 0,
    CpuQuota: h.CpuQuota ?? 0,
    CpuRealtimePeriod: h.CpuRealtimePeriod ?? 0,
    CpuRealtimeRuntime: h.CpuRealtimeRuntime ?? 0,
    CpusetCpus: h.CpusetCpus ?? '',
    CpusetMems: h.CpusetMems ?? '',
    Devices: h.Devices ?? [],
    DeviceCgroupRules: h.DeviceCgroupRules ?? null,
    DeviceRequests: h.DeviceRequests ?? null,
    MemoryReservation: h.MemoryReservation ?? 0,
    MemorySwap: h.MemorySwap ?? 0,
    MemorySwappiness: h.MemorySwappiness ?? null,
    OomKillDisable: h.OomKillDisable ?? null,
    PidsLimit: h.PidsLimit ?? null,
    Ulimits: h.Ulimits ?? null,
    CpuCount: h.CpuCount ?? 0,
    CpuPercent: h.CpuPercent ?? 0,
    IOMaximumIOps: h.IOMaximumIOps ?? 0,
    IOMaximumBandwidth: h.IOMaximumBandwidth ?? 0,
    ...(h.Mounts ? { Mounts: h.Mounts } : {}),
    MaskedPaths: h.MaskedPaths ?? null,
    ReadonlyPaths: h.ReadonlyPaths ?? null,
    ...(h.Init !== undefined ? { Init: h.Init } : {}),
  };
}
