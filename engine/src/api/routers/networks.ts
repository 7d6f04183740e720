import { NotFound } from '../../base/errors.js';
import { Filters } from '../../base/filters.js';
import { boolParam } from '../../base/query.js';
import type { NetworkCreateRequest } from '../../network/create-request.js';
import type { Router } from '../router.js';
import { readJsonBody, sendJson, sendStatus } from '../respond.js';
import { networkConnect, networkCreate, networkDisconnect } from '../validate/bodies.gen.js';

/** What the network routes need; `NetworkService` implements it. */
export interface NetworksBackend {
  list(filters: Filters): unknown[];
  inspect(idOrName: string): unknown;
  create(req: NetworkCreateRequest, apiVersion: string): Promise<{ Id: string; Warning: string }>;
  remove(idOrName: string): Promise<void>;
  prune(filters: Filters): Promise<unknown>;
}

/** The body of `POST /networks/{id}/connect` (swagger `NetworkConnectRequest`). */
export interface NetworkConnectRequest {
  Container?: string;
  EndpointConfig?: {
    IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
    Links?: string[] | null;
    Aliases?: string[] | null;
    MacAddress?: string;
    DriverOpts?: Record<string, string> | null;
    GwPriority?: number;
  } | null;
}

/**
 * Connect and disconnect need containers: the containers layer implements this (it owns the namespaces).
 * Until it is wired the daemon passes one that answers dockerd's "No such container".
 */
export interface NetworkConnectBackend {
  connect(network: string, req: NetworkConnectRequest): Promise<void>;
  disconnect(network: string, container: string, force: boolean): Promise<void>;
}

export function registerNetworkRoutes(router: Router, backend: NetworksBackend, connector: NetworkConnectBackend): void {
  router.get('/networks', (ctx) => sendJson(ctx, 200, backend.list(Filters.parse(ctx.query.get('filters')))));
  router.get('/networks/json', (ctx) => sendJson(ctx, 200, backend.list(Filters.parse(ctx.query.get('filters')))));

  router.post('/networks/create', async (ctx) => {
    const body = (await readJsonBody<NetworkCreateRequest>(ctx, networkCreate)) ?? {};
    sendJson(ctx, 201, await backend.create(body, ctx.apiVersion));
  });

  router.post('/networks/prune', async (ctx) => {
    sendJson(ctx, 200, await backend.prune(Filters.parse(ctx.query.get('filters'))));
  });

  router.get('/networks/{id}', (ctx) => {
    const id = ctx.params.id ?? '';
    const scope = ctx.query.get('scope');
    if (scope && scope !== 'local') throw new NotFound(`network ${id} not found`);
    sendJson(ctx, 200, backend.inspect(id));
  });

  router.delete('/networks/{id}', async (ctx) => {
    await backend.remove(ctx.params.id ?? '');
    sendStatus(ctx, 204);
  });

  router.post('/networks/{id}/connect', async (ctx) => {
    const body = (await readJsonBody<NetworkConnectRequest>(ctx, networkConnect)) ?? {};
    await connector.connect(ctx.params.id ?? '', body);
    sendStatus(ctx, 200);
  });

  router.post('/networks/{id}/disconnect', async (ctx) => {
    const body = (await readJsonBody<{ Container?: string; Force?: boolean }>(ctx, networkDisconnect)) ?? {};
    await connector.disconnect(ctx.params.id ?? '', body.Container ?? '', body.Force === true || boolParam(ctx.query, 'force'));
    sendStatus(ctx, 200);
  });
}

/** Until the containers layer provides connect/disconnect: the network must exist, and no container does. */
export function noContainerConnector(networks: Pick<NetworksBackend, 'inspect'>): NetworkConnectBackend {
  return {
    connect: async (network, req) => {
      networks.inspect(network);
      throw new NotFound(`No such container: ${req.Container ?? ''}`);
    },
    disconnect: async (network, container) => {
      networks.inspect(network);
      throw new NotFound(`No such container: ${container}`);
    },
  };
}
