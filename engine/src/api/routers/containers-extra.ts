import type { Readable, Writable } from 'node:stream';
import { InvalidArgument } from '../../base/errors.js';
import { boolParam } from '../../base/query.js';
import { readJsonBody, sendJson, sendStatus, startStream } from '../respond.js';
import { containerUpdate } from '../validate/bodies.gen.js';
import type { RequestContext, Router } from '../router.js';

interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** What these routes need; the containers layer's ContainerExtras provides it. */
export interface ContainerExtrasBackend {
  stats(idOrName: string, opts: { stream: boolean; oneShot: boolean }, emit: (s: object) => Promise<void> | void, signal: AbortSignal): Promise<void>;
  statPath(idOrName: string, path: string | null): Promise<PathStat>;
  getArchive(idOrName: string, path: string | null, open: (stat: PathStat) => Writable): Promise<void>;
  putArchive(idOrName: string, path: string | null, body: Readable, opts: { noOverwriteDirNonDir: boolean; copyUIDGID: boolean }): Promise<void>;
  export(idOrName: string, open: () => Writable): Promise<void>;
  changes(idOrName: string): Promise<unknown[]>;
  update(idOrName: string, body: Record<string, unknown>): Promise<{ Warnings: string[] | null }>;
  prune(filters: string | null): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>;
}

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function statHeader(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

/** Writes one JSON document per sample, as dockerd's encoder does, waiting for the client when it lags. */
async function statsRoute(ctx: RequestContext, backend: ContainerExtrasBackend): Promise<void> {
  let started = false;
  const emit = async (sample: object): Promise<void> => {
    if (!started) {
      startStream(ctx, 'application/json');
      started = true;
    }
    if (!ctx.res.write(`${JSON.stringify(sample)}\n`)) {
      await new Promise<void>((resolve) => {
        ctx.res.once('drain', resolve);
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    }
  };
  await backend.stats(
    ctx.params.id ?? '',
    { stream: boolParam(ctx.query, 'stream', true), oneShot: boolParam(ctx.query, 'one-shot') },
    emit,
    ctx.signal,
  );
  if (!started) startStream(ctx, 'application/json');
  ctx.res.end();
}

export function registerContainerExtraRoutes(router: Router, backend: ContainerExtrasBackend): void {
  router.post('/containers/prune', async (ctx) => {
    sendJson(ctx, 200, await backend.prune(ctx.query.get('filters')));
  });
  router.get('/containers/{id}/stats', (ctx) => statsRoute(ctx, backend));
  router.head('/containers/{id}/archive', async (ctx) => {
    const stat = await backend.statPath(ctx.params.id ?? '', ctx.query.get('path'));
    ctx.res.writeHead(200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/x-tar' });
    ctx.res.end();
  });
  router.get('/containers/{id}/archive', async (ctx) => {
    await backend.getArchive(ctx.params.id ?? '', ctx.query.get('path'), (stat) => {
      ctx.res.writeHead(200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/x-tar' });
      return ctx.res;
    });
  });
  router.put('/containers/{id}/archive', async (ctx) => {
    await backend.putArchive(ctx.params.id ?? '', ctx.query.get('path'), ctx.req, {
      noOverwriteDirNonDir: boolParam(ctx.query, 'noOverwriteDirNonDir'),
      copyUIDGID: boolParam(ctx.query, 'copyUIDGID'),
    });
    sendStatus(ctx, 200);
  });
  router.get('/containers/{id}/export', async (ctx) => {
    await backend.export(ctx.params.id ?? '', () => {
      ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      return ctx.res;
    });
  });
  router.get('/containers/{id}/changes', async (ctx) => {
    const changes = await backend.changes(ctx.params.id ?? '');
    sendJson(ctx, 200, changes.length > 0 ? changes : null);
  });
  router.post('/containers/{id}/update', async (ctx) => {
    const body = await readJsonBody<Record<string, unknown>>(ctx, containerUpdate);
    if (!body || typeof body !== 'object') throw new InvalidArgument('invalid JSON: update config cannot be empty');
    sendJson(ctx, 200, await backend.update(ctx.params.id ?? '', body));
  });
}
