import { InvalidArgument } from '../base/errors.js';
import type { ContainerEndpoints } from '../network/endpoints.js';
import { setUpContainerNetwork } from '../network/container-setup.js';
import type { PortBindings } from '../network/publish-spec.js';
import type { PlannedEndpoint } from '../network/types.js';
import { BasicNetworking, type ContainerNetworking, type NetworkSetup } from './networking.js';
import type { ContainerRecord } from './types.js';

/** The networks a container joins: its network mode first (it gives the default route), then the others. */
export function plannedNetworks(record: ContainerRecord): PlannedEndpoint[] {
  const endpoints = record.EndpointsConfig ?? {};
  const names = [record.HostConfig.NetworkMode, ...Object.keys(endpoints).filter((n) => n !== record.HostConfig.NetworkMode)];
  return names.map((network) => {
    const e = endpoints[network];
    return {
      network,
      ...(e?.Aliases && e.Aliases.length > 0 ? { aliases: e.Aliases } : {}),
      ...(e?.IPAMConfig?.IPv4Address ? { ipv4Address: e.IPAMConfig.IPv4Address } : {}),
      ...(e?.MacAddress ? { macAddress: e.MacAddress } : {}),
      ...(e?.IPAMConfig && Object.keys(e.IPAMConfig).length > 0 ? { ipamConfig: e.IPAMConfig } : {}),
      ...(e?.DriverOpts && Object.keys(e.DriverOpts).length > 0 ? { driverOpts: e.DriverOpts } : {}),
      ...(e?.Links && e.Links.length > 0 ? { links: e.Links } : {}),
    };
  });
}

/**
 * Containers on bridge networks (the default `bridge` and user-defined ones) through the network layer: a
 * namespace per container, an endpoint per network, published ports, and hosts/resolv.conf that name the
 * embedded DNS. `host`, `none` and `container:<id>` need no endpoints and are served as before.
 */
export class BridgeNetworking implements ContainerNetworking {
  private readonly basic = new BasicNetworking();

  constructor(
    private readonly endpoints: ContainerEndpoints,
    private readonly lookupNetwork: (name: string) => unknown,
    /** Give every container `host.docker.internal` (the Berth VM: the user's machine), as Docker Desktop does. */
    private readonly hostDockerInternal = false,
  ) {}

  private extraHosts(record: ContainerRecord): string[] {
    const own = record.HostConfig.ExtraHosts ?? [];
    const named = (n: string): boolean => own.some((e) => e.startsWith(`${n}:`) || e.startsWith(`${n}=`));
    if (!this.hostDockerInternal || named('host.docker.internal')) return own;
    return ['host.docker.internal:host-gateway', ...own];
  }

  validate(record: ContainerRecord): void {
    if (!BridgeNetworking.usesEndpoints(record)) {
      if (record.HostConfig.NetworkMode !== 'host' && Object.keys(record.EndpointsConfig ?? {}).some((n) => n !== record.HostConfig.NetworkMode)) {
        throw new InvalidArgument('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
      }
      return;
    }
    for (const n of plannedNetworks(record)) this.lookupNetwork(n.network);
  }

  private static usesEndpoints(record: ContainerRecord): boolean {
    const mode = record.HostConfig.NetworkMode;
    return mode !== 'host' && mode !== 'none' && !mode.startsWith('container:');
  }

  async setup(record: ContainerRecord, peer: (idOrName: string) => ContainerRecord): Promise<NetworkSetup> {
    if (!BridgeNetworking.usesEndpoints(record)) return this.basic.setup(record, peer);
    const c = record.Config;
    const h = record.HostConfig;
    const result = await setUpContainerNetwork(this.endpoints, {
      containerId: record.Id,
      containerName: record.Name.replace(/^\//, ''),
      hostname: c.Hostname,
      domainname: c.Domainname,
      networks: plannedNetworks(record),
      portBindings: h.PortBindings as PortBindings,
      exposedPorts: Object.keys(c.ExposedPorts ?? {}),
      publishAll: h.PublishAllPorts,
      dns: h.Dns,
      dnsSearch: h.DnsSearch,
      dnsOptions: h.DnsOptions,
      extraHosts: this.extraHosts(record),
    });
    return { netns: { kind: 'path', path: result.netnsPath }, hosts: result.hosts, resolvConf: result.resolvConf, settings: result.settings };
  }

  async teardown(record: ContainerRecord): Promise<void> {
    if (BridgeNetworking.usesEndpoints(record)) await this.endpoints.removeSandbox(record.Id);
  }

  /** `docker network connect` of a running container: a new endpoint in its namespace. */
  async connectRunning(record: ContainerRecord, network: string): Promise<Record<string, unknown>> {
    if (!BridgeNetworking.usesEndpoints(record)) {
      throw new InvalidArgument(`container cannot be connected to multiple networks with one of the networks in private (none) mode`);
    }
    const plan = plannedNetworks(record).find((n) => n.network === network) ?? { network };
    await this.endpoints.attach({
      network: plan.network,
      containerId: record.Id,
      containerName: record.Name.replace(/^\//, ''),
      netnsPath: this.endpoints.sandboxes.path(record.Id),
      aliases: plan.aliases,
      ipv4Address: plan.ipv4Address,
      macAddress: plan.macAddress,
      ipamConfig: plan.ipamConfig,
      driverOpts: plan.driverOpts,
      links: plan.links,
      defaultRoute: false,
      dnsUpstreams: record.HostConfig.Dns,
    });
    // Its 127.0.0.11 may point at a network it has left (or at none): aim it at one it is on now.
    await this.endpoints.redirectResolver(record.Id, { newNamespace: false });
    return this.endpoints.networkSettings(record.Id, Object.keys(record.Config.ExposedPorts ?? {}), this.endpoints.sandboxes.path(record.Id));
  }

  async disconnectRunning(record: ContainerRecord, network: string, force: boolean): Promise<Record<string, unknown>> {
    await this.endpoints.detach(network, record.Id, { force });
    return this.endpoints.networkSettings(record.Id, Object.keys(record.Config.ExposedPorts ?? {}), this.endpoints.sandboxes.path(record.Id));
  }

  reconcile(runningIds: string[]): Promise<void> {
    return this.endpoints.reconcile(runningIds);
  }
}
