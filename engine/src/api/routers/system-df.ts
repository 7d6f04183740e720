import { InvalidArgument } from '../../base/errors.js';
import type { Router } from '../router.js';
import { sendJson } from '../respond.js';

/** Each subsystem's part of `GET /system/df`; a part that is absent answers an empty list. */
export interface DiskUsageBackend {
  images?(apiVersion: number): Promise<{ LayersSize: number; Images: unknown[] }>;
  containers?(): Promise<unknown[]>;
  volumes?(): Promise<unknown[]>;
  buildCache?(): Promise<unknown[]>;
}

const TYPES = ['container', 'image', 'volume', 'build-cache'];

/**
 * `docker system df`: the pre-1.52 shape (`LayersSize`, `Images`, `Containers`, `Volumes`, `BuildCache`). `type`
 * (repeatable) limits the work to the parts asked for, as dockerd does.
 */
export function registerSystemDfRoutes(router: Router, backend: DiskUsageBackend): void {
  router.get('/system/df', async (ctx) => {
    const types = ctx.query.getAll('type');
    for (const t of types) if (!TYPES.includes(t)) throw new InvalidArgument(`unknown object type: ${t}`);
    const want = (t: string): boolean => types.length === 0 || types.includes(t);
    const version = Number(ctx.apiVersion);
    const [images, containers, volumes, buildCache] = await Promise.all([
      want('image') && backend.images ? backend.images(version) : undefined,
      want('container') && backend.containers ? backend.containers() : undefined,
      want('volume') && backend.volumes ? backend.volumes() : undefined,
      want('build-cache') && backend.buildCache ? backend.buildCache() : undefined,
    ]);
    sendJson(ctx, 200, {
      LayersSize: images?.LayersSize ?? 0,
      Images: want('image') ? (images?.Images ?? []) : null,
      Containers: want('container') ? (containers ?? []) : null,
      Volumes: want('volume') ? (volumes ?? []) : null,
      BuildCache: want('build-cache') ? (buildCache ?? []) : null,
    });
  });
}
