import { Conflict, Forbidden } from '../base/errors.js';
import type { BridgeNetworking } from './bridge-networking.js';
import type { ContainerContext } from './context.js';
import { plannedNetworkSettings } from './planned-settings.js';
import type { EndpointConfig } from './types.js';

export interface NetworkConnectRequest {
  Container?: string;
  EndpointConfig?: EndpointConfig;
}

/**
 * `docker network connect/disconnect`: a running container gets (or loses) an endpoint at once; a stopped one
 * only has its plan changed, applied at its next start, as dockerd does.
 */
export class NetworkConnector {
  constructor(
    private readonly ctx: ContainerContext,
    private readonly bridge: BridgeNetworking,
    private readonly networkName: (term: string) => string,
  ) {}

  async connect(network: string, req: NetworkConnectRequest): Promise<void> {
    const name = this.networkName(network);
    const record = this.ctx.store.get(req.Container ?? '');
    const mode = record.HostConfig.NetworkMode;
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
      throw new Forbidden(`container sharing network namespace with another container or host cannot be connected to any other network`);
    }
    const endpoints = { ...(record.EndpointsConfig ?? {}) };
    // A running container is on the networks it has endpoints on (its primary one may have been disconnected).
    const attached = record.State.Running ? name in ((record.NetworkSettings.Networks ?? {}) as Record<string, unknown>) : false;
    if (attached) throw new Forbidden(`endpoint with name ${record.Name.slice(1)} already exists in network ${name}`);
    endpoints[name] = req.EndpointConfig ?? {};
    record.EndpointsConfig = endpoints;
    if (record.State.Running) {
      record.NetworkSettings = await this.bridge.connectRunning(record, name);
    } else {
      record.NetworkSettings = plannedNetworkSettings(record);
    }
    await this.ctx.store.save(record);
  }

  async disconnect(network: string, container: string, force: boolean): Promise<void> {
    const name = this.networkName(network);
    const record = this.ctx.store.find(container);
    if (!record) {
      if (force) return;
      throw new Conflict(`container ${container} is not connected to network ${name}`);
    }
    const endpoints = { ...(record.EndpointsConfig ?? {}) };
    const connected = record.HostConfig.NetworkMode === name || name in endpoints;
    if (!connected) throw new Forbidden(`container ${record.Id} is not connected to network ${name}`);
    // HostConfig.NetworkMode stays as created, as in dockerd: Compose disconnects and reconnects a created
    // container's primary network to set its aliases.
    delete endpoints[name];
    record.EndpointsConfig = endpoints;
    if (record.State.Running) {
      record.NetworkSettings = await this.bridge.disconnectRunning(record, name, force);
    } else {
      record.NetworkSettings = plannedNetworkSettings(record);
      const networks = record.NetworkSettings.Networks as Record<string, unknown>;
      if (record.HostConfig.NetworkMode === name && !(name in endpoints)) delete networks[name];
    }
    await this.ctx.store.save(record);
  }
}
