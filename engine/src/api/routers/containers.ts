import { InvalidArgument } from '../../base/errors.js';
import { boolParam, intParam } from '../../base/query.js';
import { versionAtLeast } from '../../base/version.js';
import { isRawRequest } from '../raw-connections.js';
import type { Router, RequestContext } from '../router.js';
import { readJsonBody, sendJson, sendStatus, startStream } from '../respond.js';
import { containerCreate } from '../validate/bodies.gen.js';

type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** What the container routes need; the containers layer's ContainerService provides it. */
export interface ContainersBackend {
  /** `raw`: the request came in on a raw socket (docker.sock.raw), from which no container is hidden. */
  list(options: { all: boolean; limit: number; filters: string | null; size: boolean; raw: boolean }): Promise<unknown[]>;
  inspect(idOrName: string, options: { size: boolean }): Promise<unknown>;
  create(body: Record<string, unknown>, name: string | undefined): Promise<{ Id: string; Warnings: string[] }>;
  start(idOrName: string): Promise<void>;
  stop(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  restart(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  kill(idOrName: string, signal?: string): Promise<void>;
  pause(idOrName: string): Promise<void>;
  unpause(idOrName: string): Promise<void>;
  remove(idOrName: string, opts: { force: boolean; removeVolumes: boolean; link?: boolean; apiVersion?: string }): Promise<void>;
  rename(idOrName: string, name: string): Promise<void>;
  wait(idOrName: string, condition: WaitCondition): { promise: Promise<number>; cancel: () => void };
  commit(
    idOrName: string,
    opts: { repo?: string; tag?: string; comment?: string; author?: string; pause: boolean; changes: string[]; config?: Record<string, unknown> },
  ): Promise<{ Id: string }>;
}

function stopOptions(ctx: RequestContext): { timeout?: number; signal?: string } {
  const t = ctx.query.get('t');
  const signal = ctx.query.get('signal') ?? undefined;
  return { ...(t !== null && t !== '' ? { timeout: intParam(ctx.query, 't', 10) } : {}), ...(signal ? { signal } : {}) };
}

async function waitRoute(ctx: RequestContext, backend: ContainersBackend): Promise<void> {
  const condition = (ctx.query.get('condition') || 'not-running') as WaitCondition;
  if (!['not-running', 'next-exit', 'removed'].includes(condition)) {
    throw new InvalidArgument(`invalid condition: "${condition}"`);
  }
  const waiter = backend.wait(ctx.params.id ?? '', condition);
  // Headers go out at once (the CLI starts the container only after the wait is in place); the body follows.
  startStream(ctx, 'application/json');
  ctx.signal.addEventListener('abort', waiter.cancel);
  const code = await waiter.promise;
  ctx.res.end(`${JSON.stringify({ StatusCode: code })}\n`);
}

export function registerContainerRoutes(router: Router, backend: ContainersBackend): void {
  router.get('/containers/json', async (ctx) => {
    const limit = intParam(ctx.query, 'limit', -1);
    sendJson(ctx, 200, await backend.list({
      all: boolParam(ctx.query, 'all'), limit, filters: ctx.query.get('filters'), size: boolParam(ctx.query, 'size'), raw: isRawRequest(ctx.req),
    }));
  });
  router.post('/containers/create', async (ctx) => {
    const body = await readJsonBody<Record<string, unknown>>(ctx, containerCreate);
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new InvalidArgument('invalid JSON: config cannot be empty in order to create a container');
    }
    const name = ctx.query.get('name') || undefined;
    sendJson(ctx, 201, await backend.create(body, name));
  });
  router.get('/containers/{id}/json', async (ctx) => sendJson(ctx, 200, await backend.inspect(ctx.params.id ?? '', { size: boolParam(ctx.query, 'size') })));
  router.post('/containers/{id}/start', async (ctx) => {
    const body = await readJsonBody<unknown>(ctx);
    if (body !== undefined && body !== null && versionAtLeast(ctx.apiVersion, '1.24') && Object.keys(body as object).length > 0) {
      throw new InvalidArgument('starting container with non-empty request body was deprecated since API v1.22 and removed in v1.24');
    }
    await backend.start(ctx.params.id ?? '');
    sendStatus(ctx, 204);
  });
  router.post('/containers/{id}/stop', async (ctx) => {
    await backend.stop(ctx.params.id ?? '', stopOptions(ctx));
    sendStatus(ctx, 204);
  });
  router.post('/containers/{id}/restart', async (ctx) => {
    await backend.restart(ctx.params.id ?? '', stopOptions(ctx));
    sendStatus(ctx, 204);
  });
  router.post('/containers/{id}/kill', async (ctx) => {
    await backend.kill(ctx.params.id ?? '', ctx.query.get('signal') || undefined);
    sendStatus(ctx, 204);
  });
  router.post('/containers/{id}/pause', async (ctx) => {
    await backend.pause(ctx.params.id ?? '');
    sendStatus(ctx, 204);
  });
  router.post('/containers/{id}/unpause', async (ctx) => {
    await backend.unpause(ctx.params.id ?? '');
    sendStatus(ctx, 204);
  });
  router.post('/containers/{id}/rename', async (ctx) => {
    const name = ctx.query.get('name') ?? '';
    if (name === '') throw new InvalidArgument('Neither old nor new names may be empty');
    await backend.rename(ctx.params.id ?? '', name);
    sendStatus(ctx, 204);
  });
  router.post('/containers/{id}/wait', (ctx) => waitRoute(ctx, backend));
  router.post('/commit', async (ctx) => {
    const container = ctx.query.get('container') ?? '';
    if (container === '') throw new InvalidArgument('container is required');
    // dockerd decodes a commit's config as a create request (runconfig's DecodeConfig): the same types, the same words.
    const config = await readJsonBody<Record<string, unknown>>(ctx, containerCreate);
    const q = (k: string): string | undefined => ctx.query.get(k) || undefined;
    const result = await backend.commit(container, {
      ...(q('repo') ? { repo: q('repo') } : {}),
      ...(q('tag') ? { tag: q('tag') } : {}),
      ...(q('comment') ? { comment: q('comment') } : {}),
      ...(q('author') ? { author: q('author') } : {}),
      pause: boolParam(ctx.query, 'pause', true),
      changes: ctx.query.getAll('changes'),
      ...(config && Object.keys(config).length > 0 ? { config } : {}),
    });
    sendJson(ctx, 201, result);
  });
  // `{name:.*}`: `DELETE /containers/{parent}/{alias}?link=1` removes a legacy link.
  router.delete('/containers/{name:.*}', async (ctx) => {
    await backend.remove(ctx.params.name ?? '', {
      force: boolParam(ctx.query, 'force'),
      removeVolumes: boolParam(ctx.query, 'v'),
      link: boolParam(ctx.query, 'link'),
      apiVersion: ctx.apiVersion,
    });
    sendStatus(ctx, 204);
  });
}
