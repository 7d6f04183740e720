// Berth's own engine settings, outside the Docker API (dockerd has no such paths; no docker client calls them):
// GET /berth/extension-containers → {"Show": bool}; POST /berth/extension-containers?show=1|0 → 204.
// Settings → "Show extension containers" in the dashboard sets it (see containers/extension-visibility.ts).
import { InvalidArgument } from '../../base/errors.js';
import type { Router } from '../router.js';
import { sendJson, sendStatus } from '../respond.js';

export interface BerthSettingsBackend {
  extensionContainers: { readonly shown: boolean; set(show: boolean): Promise<void> };
}

export function registerBerthSettingsRoutes(router: Router, backend: BerthSettingsBackend): void {
  router.get('/berth/extension-containers', (ctx) => sendJson(ctx, 200, { Show: backend.extensionContainers.shown }));
  router.post('/berth/extension-containers', async (ctx) => {
    const raw = ctx.query.get('show');
    if (raw === null || !['1', '0', 'true', 'false'].includes(raw)) throw new InvalidArgument('show must be 1 or 0');
    await backend.extensionContainers.set(raw === '1' || raw === 'true');
    sendStatus(ctx, 204);
  });
}
