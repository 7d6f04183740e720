import type Docker from 'dockerode';
import type { EngineInfo } from '../../../shared/types.js';
import type { EngineControls, RequestHandlers } from './types.js';

interface RawInfo {
  Name?: string; ServerVersion?: string; OperatingSystem?: string; Architecture?: string; KernelVersion?: string;
  NCPU?: number; MemTotal?: number; Driver?: string; DockerRootDir?: string;
  Containers?: number; ContainersRunning?: number; ContainersPaused?: number; ContainersStopped?: number; Images?: number;
}

export function engineInfo(info: RawInfo, apiVersion: string): EngineInfo {
  return {
    name: info.Name ?? '',
    serverVersion: info.ServerVersion ?? '',
    apiVersion,
    os: info.OperatingSystem ?? '',
    arch: info.Architecture ?? '',
    kernel: info.KernelVersion ?? '',
    cpus: info.NCPU ?? 0,
    memoryBytes: info.MemTotal ?? 0,
    storageDriver: info.Driver ?? '',
    dataRoot: info.DockerRootDir ?? '',
    containers: {
      total: info.Containers ?? 0,
      running: info.ContainersRunning ?? 0,
      paused: info.ContainersPaused ?? 0,
      stopped: info.ContainersStopped ?? 0,
    },
    images: info.Images ?? 0,
  };
}

export function systemHandlers(docker: Docker, controls: EngineControls = {}): Pick<RequestHandlers, 'engine.info' | 'engine.restart'> {
  return {
    async 'engine.info'() {
      const [info, version] = await Promise.all([docker.info() as Promise<RawInfo>, docker.version()]);
      return engineInfo(info, version.ApiVersion);
    },
    async 'engine.restart'() {
      if (!controls.restartEngine) {
        throw {
          code: 'not_implemented',
          message: 'This dashboard does not manage the engine, so it cannot restart it.',
          hint: 'Restart the engine where it runs (Ctrl-C and scripts/start.sh again), or use the Berth app.',
        };
      }
      await controls.restartEngine();
    },
  };
}
