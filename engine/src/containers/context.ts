import type { Logger } from '../base/log.js';
import type { EventsService } from '../events/events.js';
import type { ImageService } from '../images/service.js';
import type { OciRuntime } from '../runtime/index.js';
import type { ContainerProcess } from '../runtime/index.js';
import type { VolumeProvider } from './mounts.js';
import type { ContainerNetworking } from './networking.js';
import type { ContainerStore } from './store.js';
import type { ContainerRecord } from './types.js';
import type { Waiters } from './waiters.js';

/** Host facts the containers layer needs to build specs. */
export interface ContainerHost {
  cgroup: 'v1' | 'v2';
  cpuCount: number;
  engineHardLimits: Record<string, number>;
  initBinary: string | undefined;
  /** Capabilities the engine holds (its bounding set). */
  capabilityBound: string[];
  /** Parent of every container cgroup, e.g. `/berth` (tests use their own). */
  cgroupParent: string;
}

/** Everything the container operations share; built once by ContainerService. */
export interface ContainerContext {
  dataRoot: string;
  execRoot: string;
  store: ContainerStore;
  images: ImageService;
  runtimes: Map<string, OciRuntime>;
  monitorBinary: () => Promise<string>;
  events: EventsService;
  networking: ContainerNetworking;
  volumes: VolumeProvider | undefined;
  host: ContainerHost;
  log: Logger;
  waiters: Waiters;
  /** Live monitors of running containers, by container ID. */
  processes: Map<string, ContainerProcess>;
  /** Called with each new container process before it starts, so early attaches see all output. */
  beforeStart: Array<(record: ContainerRecord, proc: ContainerProcess) => Promise<void>>;
  /** Restarts under a restart policy, scheduled by exit handling. */
  scheduleRestart: (record: ContainerRecord, delayMs: number) => void;
  removeContainer: (record: ContainerRecord, opts: { removeVolumes: boolean }) => Promise<void>;
}

/** Container event attributes as dockerd sends them: image, name and the container's labels. */
export function eventAttributes(record: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
  return { ...record.Config.Labels, image: record.Config.Image, name: record.Name.replace(/^\//, ''), ...extra };
}

export function publish(ctx: ContainerContext, record: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
  ctx.events.publish('container', action, record.Id, eventAttributes(record, extra));
}

/** Where a container's bundle and monitor state live; kept short because unix socket paths are capped at 107 bytes. */
export function bundleDir(ctx: ContainerContext, id: string): string {
  return `${ctx.execRoot}/c/${id.slice(0, 16)}`;
}
