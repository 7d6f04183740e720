import type { AuthConfig } from '../../registry/auth.js';
import type { Router } from '../router.js';
import { readJsonBody, sendJson } from '../respond.js';
import { authConfig } from '../validate/bodies.gen.js';

export interface AuthBackend {
  login(body: AuthConfig): Promise<{ Status: string; IdentityToken: string }>;
}

export function registerAuthRoutes(router: Router, backend: AuthBackend): void {
  router.post('/auth', async (ctx) => {
    const body = (await readJsonBody<AuthConfig>(ctx, authConfig)) ?? {};
    sendJson(ctx, 200, await backend.login(body));
  });
}
