import { boolParam } from '../../base/query.js';
import type { Router } from '../router.js';
import { sendJson } from '../respond.js';

/**
 * What the container routes need. The containers layer (engine/src/containers) implements it; until it lands the
 * daemon provides a store with no containers, so lookups answer dockerd's 404.
 */
export interface ContainersBackend {
  list(options: { all: boolean; filters: string | null }): Promise<unknown[]>;
  inspect(idOrName: string): Promise<unknown>;
}

export function registerContainerRoutes(router: Router, backend: ContainersBackend): void {
  router.get('/containers/json', async (ctx) => {
    const all = boolParam(ctx.query, 'all');
    sendJson(ctx, 200, await backend.list({ all, filters: ctx.query.get('filters') }));
  });
  router.get('/containers/{id}/json', async (ctx) => sendJson(ctx, 200, await backend.inspect(ctx.params.id ?? '')));
}
