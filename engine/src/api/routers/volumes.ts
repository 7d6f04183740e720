import { Filters } from '../../base/filters.js';
import { boolParam } from '../../base/query.js';
import type { VolumeCreateRequest } from '../../volumes/types.js';
import type { Router } from '../router.js';
import { readJsonBody, sendJson, sendStatus } from '../respond.js';
import { volumeCreate } from '../validate/bodies.gen.js';
import { apiVersionNumber } from './images.js';

/** What the volume routes need; `VolumeService` implements it. */
export interface VolumesBackend {
  list(filters: Filters): unknown;
  inspect(name: string): unknown;
  create(req: VolumeCreateRequest): Promise<unknown>;
  remove(name: string, opts: { force?: boolean }): Promise<void>;
  prune(filters: Filters, apiVersion: number): Promise<unknown>;
}

export function registerVolumeRoutes(router: Router, backend: VolumesBackend): void {
  router.get('/volumes', (ctx) => sendJson(ctx, 200, backend.list(Filters.parse(ctx.query.get('filters')))));

  router.post('/volumes/create', async (ctx) => {
    const body = (await readJsonBody<VolumeCreateRequest>(ctx, volumeCreate)) ?? {};
    sendJson(ctx, 201, await backend.create(body));
  });

  router.post('/volumes/prune', async (ctx) => {
    sendJson(ctx, 200, await backend.prune(Filters.parse(ctx.query.get('filters')), apiVersionNumber(ctx)));
  });

  router.get('/volumes/{name}', (ctx) => sendJson(ctx, 200, backend.inspect(ctx.params.name ?? '')));

  router.delete('/volumes/{name}', async (ctx) => {
    await backend.remove(ctx.params.name ?? '', { force: boolParam(ctx.query, 'force') });
    sendStatus(ctx, 204);
  });
}
