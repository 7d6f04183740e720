import { decodeRegistryAuth, type AuthConfig } from '../../registry/auth.js';
import type { DistributionInspect } from '../../registry/distribution.js';
import { parseReference, withDefaultTag, type Reference } from '../../registry/reference.js';
import type { Router } from '../router.js';
import { sendJson } from '../respond.js';

export interface DistributionBackend {
  distribution(ref: Reference, auth: AuthConfig | undefined): Promise<DistributionInspect>;
}

export function registerDistributionRoutes(router: Router, backend: DistributionBackend): void {
  router.get('/distribution/{name:.*}/json', async (ctx) => {
    const ref = withDefaultTag(parseReference(ctx.params.name ?? ''));
    const auth = decodeRegistryAuth(ctx.req.headers['x-registry-auth'] as string | undefined);
    sendJson(ctx, 200, await backend.distribution(ref, auth));
  });
}
