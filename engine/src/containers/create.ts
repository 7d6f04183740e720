import { InvalidArgument } from '../base/errors.js';
import { generateId } from '../base/ids.js';
import { publish, type ContainerContext } from './context.js';
import { entrypointAndArgs, mergeImageConfig, normalizeConfig } from './config-merge.js';
import { normalizeHostConfig, type HostConfigDefaults } from './host-config.js';
import { validateLogConfig } from './log-config.js';
import { resolveMounts } from './mounts.js';
import { validateResources } from '../runtime/index.js';
import { resourceOptionsOf } from './spec.js';
import { plannedNetworkSettings } from './planned-settings.js';
import { generateName, normalizeName } from './names.js';
import type { ContainerConfig, ContainerRecord, EndpointConfig, HostConfig } from './types.js';

export interface CreateRequest extends Partial<ContainerConfig> {
  HostConfig?: Partial<HostConfig>;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> };
}

/** The CLI keys the endpoint of `--network default` (no --network given) as "default": that is the bridge. */
function endpointsConfig(input: Record<string, unknown>, networkMode: string): ContainerRecord['EndpointsConfig'] {
  const out: NonNullable<ContainerRecord['EndpointsConfig']> = {};
  for (const [name, cfg] of Object.entries(input)) out[name === 'default' ? networkMode : name] = (cfg ?? {}) as EndpointConfig;
  return out;
}

/**
 * The container-wide `MacAddress` (Config, deprecated since API 1.44 but still sent by older SDKs: docker-py 5)
 * becomes the primary network endpoint's, as dockerd moves it; an endpoint's own MAC wins.
 */
function applyContainerMac(record: ContainerRecord, mac: unknown): void {
  const mode = record.HostConfig.NetworkMode;
  if (typeof mac !== 'string' || mac === '' || mode === 'host' || mode === 'none' || mode.startsWith('container:')) return;
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) throw new InvalidArgument(`invalid MAC address: ${mac}`);
  const endpoints = { ...(record.EndpointsConfig ?? {}) };
  const own = endpoints[mode] ?? {};
  endpoints[mode] = { ...own, MacAddress: own.MacAddress || mac };
  record.EndpointsConfig = endpoints;
}

export interface CreateResult {
  Id: string;
  Warnings: string[];
}

/**
 * `POST /containers/create`: validates the request, resolves the image (404 `No such image` so the CLI pulls and
 * retries), merges the image's config, reserves the name and persists the new container.
 */
export async function createContainer(
  ctx: ContainerContext,
  body: CreateRequest,
  name: string | undefined,
  defaults: HostConfigDefaults,
  /** `durable: false`: a build step's container, whose record is saved without fsync (`ContainerStore.save`). */
  opts: { durable?: boolean } = {},
): Promise<CreateResult> {
  const user = normalizeConfig(body);
  if (user.Image === '') throw new InvalidArgument('config cannot be empty in order to create a container');
  const hostConfig = normalizeHostConfig(body.HostConfig, defaults);
  // dockerd checks resources at create (verifyPlatformContainerSettings), not first at start.
  const warnings = validateResources(resourceOptionsOf(hostConfig), { cgroup: ctx.host.cgroup, cpuCount: ctx.host.cpuCount });
  const image = await ctx.images.resolve(user.Image);
  const config = mergeImageConfig(user, image.config.config);
  entrypointAndArgs(config);
  const id = generateId();
  if (config.Hostname === '') config.Hostname = hostConfig.NetworkMode === 'host' ? (await import('node:os')).hostname() : id.slice(0, 12);
  const fullName = name ? normalizeName(name) : generateName((n) => ctx.store.hasName(n));
  ctx.store.reserveName(fullName, id);
  try {
    const { path, args } = entrypointAndArgs(config);
    const record: ContainerRecord = {
      Id: id,
      Name: fullName,
      Created: new Date().toISOString(),
      Path: path,
      Args: args,
      Config: config,
      HostConfig: hostConfig,
      ImageId: image.id,
      State: {
        Status: 'created', Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false,
        Pid: 0, ExitCode: 0, Error: '', StartedAt: '', FinishedAt: '',
      },
      RestartCount: 0,
      ManuallyStopped: false,
      Runtime: hostConfig.Runtime,
      Mounts: [],
      NetworkSettings: { Networks: { [hostConfig.NetworkMode]: {} } },
      ...(body.NetworkingConfig?.EndpointsConfig ? { EndpointsConfig: endpointsConfig(body.NetworkingConfig.EndpointsConfig, hostConfig.NetworkMode) } : {}),
      ExecIDs: [],
    };
    applyContainerMac(record, (body as { MacAddress?: unknown }).MacAddress);
    record.NetworkSettings = plannedNetworkSettings(record);
    validateLogConfig(record);
    ctx.networking.validate?.(record);
    if (hostConfig.NetworkMode.startsWith('container:')) ctx.store.get(hostConfig.NetworkMode.slice('container:'.length));
    record.Mounts = await resolveMounts(id, config, hostConfig, ctx.volumes, (x) => ctx.store.get(x));
    await ctx.store.save(record, opts);
    publish(ctx, record, 'create');
    return { Id: id, Warnings: warnings };
  } catch (err) {
    ctx.store.releaseName(fullName, id);
    throw err;
  }
}
