import { API_VERSION, BUILD_INFO, ENGINE_VERSION, MIN_API_VERSION } from '../base/version.js';
import type { DaemonConfig } from './config.js';
import type { HostFacts } from './host-facts.js';

export interface ContainerCounts {
  total: number;
  running: number;
  paused: number;
  stopped: number;
}

/** Live figures other subsystems contribute to /info. */
export interface InfoSources {
  containerCounts(): Promise<ContainerCounts>;
  imageCount(): Promise<number>;
  eventListeners(): number;
}

export function buildVersion(facts: HostFacts): Record<string, unknown> {
  const details = {
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: BUILD_INFO.gitCommit,
    GoVersion: `node${process.versions.node}`,
    Os: 'linux',
    Arch: facts.goArch,
    KernelVersion: facts.kernelVersion,
    BuildTime: BUILD_INFO.buildTime,
    Experimental: 'false',
  };
  return {
    Platform: { Name: `Berth Engine ${ENGINE_VERSION}` },
    Components: [{ Name: 'Engine', Version: ENGINE_VERSION, Details: details }],
    Version: ENGINE_VERSION,
    ApiVersion: API_VERSION,
    MinAPIVersion: MIN_API_VERSION,
    GitCommit: BUILD_INFO.gitCommit,
    GoVersion: details.GoVersion,
    Os: 'linux',
    Arch: facts.goArch,
    KernelVersion: facts.kernelVersion,
    Experimental: false,
    BuildTime: BUILD_INFO.buildTime,
  };
}

export async function buildInfo(
  engineId: string,
  config: DaemonConfig,
  facts: HostFacts,
  sources: InfoSources,
): Promise<Record<string, unknown>> {
  const [counts, images] = await Promise.all([sources.containerCounts(), sources.imageCount()]);
  const runtimes: Record<string, { path: string }> = { runc: { path: 'runc' }, crun: { path: 'crun' } };
  const warnings: string[] = [];
  if (!facts.ipv4Forwarding) warnings.push('WARNING: IPv4 forwarding is disabled. Networking will not work.');
  return {
    ID: engineId,
    Containers: counts.total,
    ContainersRunning: counts.running,
    ContainersPaused: counts.paused,
    ContainersStopped: counts.stopped,
    Images: images,
    Driver: 'overlayfs',
    DriverStatus: [['driver-type', 'berth overlay snapshotter']],
    DockerRootDir: config.dataRoot,
    Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none', 'null'], Authorization: null, Log: ['json-file', 'local', 'none'] },
    MemoryLimit: true,
    SwapLimit: facts.cgroupVersion === '2',
    KernelMemoryTCP: false,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: true,
    PidsLimit: true,
    OomKillDisable: facts.cgroupVersion === '1',
    IPv4Forwarding: facts.ipv4Forwarding,
    Debug: config.logLevel === 'debug',
    NFd: 0,
    NGoroutines: 0,
    SystemTime: new Date().toISOString(),
    LoggingDriver: typeof config.extra['log-driver'] === 'string' ? config.extra['log-driver'] : 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: facts.cgroupVersion,
    NEventsListener: sources.eventListeners(),
    KernelVersion: facts.kernelVersion,
    OperatingSystem: facts.operatingSystem,
    OSVersion: facts.osVersion,
    OSType: 'linux',
    Architecture: facts.architecture,
    NCPU: facts.ncpu,
    MemTotal: facts.memTotal,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'],
      IndexConfigs: {
        'docker.io': { Name: 'docker.io', Mirrors: config.registryMirrors, Secure: true, Official: true },
        ...Object.fromEntries(config.insecureRegistries.map((r) => [r, { Name: r, Mirrors: [], Secure: false, Official: false }])),
      },
      Mirrors: config.registryMirrors,
    },
    GenericResources: null,
    HttpProxy: process.env.HTTP_PROXY ?? process.env.http_proxy ?? '',
    HttpsProxy: process.env.HTTPS_PROXY ?? process.env.https_proxy ?? '',
    NoProxy: process.env.NO_PROXY ?? process.env.no_proxy ?? '',
    Name: facts.hostname,
    // daemon.json "labels" (docker info shows them under Labels, as dockerd does).
    Labels: Array.isArray(config.extra.labels) ? config.extra.labels.map(String) : [],
    ExperimentalBuild: false,
    ServerVersion: ENGINE_VERSION,
    Runtimes: runtimes,
    DefaultRuntime: config.defaultRuntime,
    Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
    LiveRestoreEnabled: true,
    Isolation: '',
    InitBinary: 'tini',
    ContainerdCommit: { ID: '' },
    RuncCommit: { ID: '' },
    InitCommit: { ID: '' },
    SecurityOptions: ['name=seccomp,profile=builtin', ...(facts.cgroupVersion === '2' ? ['name=cgroupns'] : [])],
    DefaultAddressPools: config.defaultAddressPools.map((p) => ({ Base: p.base, Size: p.size })),
    CDISpecDirs: [],
    Warnings: warnings,
  };
}
