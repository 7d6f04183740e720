import { intParam } from '../../base/query.js';
import type { PreparedSession } from '../../containers/attach.js';
import type { ExecStartBody } from '../../containers/exec.js';
import { readJsonBody, sendJson, sendStatus } from '../respond.js';
import { execStart } from '../validate/bodies.gen.js';
import type { Router } from '../router.js';
import { serveHijacked } from './containers-io.js';
import { readUpgradeJson } from './hijack.js';

/** What the exec routes need; the containers layer's ExecService provides it. */
export interface ExecBackend {
  prepareStart(id: string, body: ExecStartBody): Promise<PreparedSession & { detach: boolean }>;
  resize(id: string, height: number, width: number): Promise<void>;
  inspect(id: string): Record<string, unknown>;
}

export function registerExecRoutes(router: Router, backend: ExecBackend): void {
  router.post('/exec/{id}/start', async (ctx) => {
    const body = (ctx.upgrade ? await readUpgradeJson<ExecStartBody>(ctx, execStart) : await readJsonBody<ExecStartBody>(ctx, execStart)) ?? {};
    const session = await backend.prepareStart(ctx.params.id ?? '', body);
    if (session.detach) {
      sendStatus(ctx, 200);
      return;
    }
    await serveHijacked(ctx, session);
  });
  router.post('/exec/{id}/resize', async (ctx) => {
    await backend.resize(ctx.params.id ?? '', intParam(ctx.query, 'h', 0), intParam(ctx.query, 'w', 0));
    sendStatus(ctx, 200);
  });
  router.get('/exec/{id}/json', (ctx) => sendJson(ctx, 200, backend.inspect(ctx.params.id ?? '')));
}
