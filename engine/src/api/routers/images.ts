import { InvalidArgument } from '../../base/errors.js';
import { Filters } from '../../base/filters.js';
import { boolParam } from '../../base/query.js';
import type { ImageService } from '../../images/service.js';
import type { SearchFilters } from '../../registry/search.js';
import { parsePlatform } from '../../images/platform.js';
import { decodeRegistryAuth } from '../../registry/auth.js';
import { isValidTag, parseReference, withDefaultTag, type Reference } from '../../registry/reference.js';
import type { RequestContext, Router } from '../router.js';
import { JsonMessageStream, sendJson, sendStatus } from '../respond.js';
import { importFromRequest, registerImageArchiveRoutes, type ImageArchiveBackend } from './images-archive.js';

/** What the image routes need; `ImageService` implements it. */
export type ImagesBackend = Pick<ImageService, 'pull' | 'pullAllTags' | 'list' | 'inspect' | 'history' | 'tag' | 'remove' | 'prune' | 'search'> &
  ImageArchiveBackend;

export function apiVersionNumber(ctx: RequestContext): number {
  return Number(ctx.apiVersion) || 0;
}

/** `fromImage` plus `tag` (which may also carry a digest) as dockerd combines them. */
export function pullReference(fromImage: string, tag: string): Reference {
  let ref = parseReference(fromImage);
  if (tag !== '') {
    if (tag.includes(':')) ref = { ...ref, digest: tag };
    else if (isValidTag(tag)) ref = { ...ref, tag };
    else throw new InvalidArgument('invalid reference format');
  }
  return withDefaultTag(ref);
}

/** Runs a progress-stream operation: HTTP error while nothing was sent, in-band error after. */
export async function streamProgress(ctx: RequestContext, work: (stream: JsonMessageStream) => Promise<void>): Promise<void> {
  const stream = new JsonMessageStream(ctx);
  try {
    await work(stream);
    stream.end();
  } catch (err) {
    stream.fail(err);
  }
}

/** `docker search` filters, checked as dockerd checks them. */
function searchFilters(raw: string | null): SearchFilters {
  const f = Filters.parse(raw).validate(['is-automated', 'is-official', 'stars']);
  const out: SearchFilters = {};
  const bool = (key: string): boolean | undefined => {
    const v = f.get(key);
    if (v.length === 0) return undefined;
    if (v.some((x) => !['true', 'false', '1', '0'].includes(x))) throw new InvalidArgument(`invalid filter '${key}=${v[0]}'`);
    return v.includes('true') || v.includes('1');
  };
  const official = bool('is-official');
  const automated = bool('is-automated');
  if (official !== undefined) out.isOfficial = official;
  if (automated !== undefined) out.isAutomated = automated;
  for (const s of f.get('stars')) {
    if (!/^-?\d+$/.test(s)) throw new InvalidArgument(`invalid filter 'stars=${s}'`);
    out.stars = Math.max(out.stars ?? 0, Number(s));
  }
  return out;
}

export function registerImageRoutes(router: Router, backend: ImagesBackend): void {
  router.get('/images/search', async (ctx) => {
    const q = ctx.query;
    const limitText = q.get('limit');
    const limit = limitText === null || limitText === '' ? 25 : Number(limitText);
    if (!Number.isInteger(limit)) throw new InvalidArgument(`invalid limit: ${JSON.stringify(limitText)}`);
    const auth = decodeRegistryAuth(typeof ctx.req.headers['x-registry-auth'] === 'string' ? ctx.req.headers['x-registry-auth'] : undefined);
    sendJson(ctx, 200, await backend.search(q.get('term') ?? '', limit, searchFilters(q.get('filters')), auth));
  });
  router.get('/images/json', async (ctx) => {
    // `all=1`: intermediate images (parents of others, untagged) too, as dockerd lists them.
    sendJson(ctx, 200, await backend.list(Filters.parse(ctx.query.get('filters')), apiVersionNumber(ctx), boolParam(ctx.query, 'all')));
  });

  router.post('/images/create', async (ctx) => {
    const q = ctx.query;
    if (q.get('fromSrc') !== null) {
      await streamProgress(ctx, (stream) => importFromRequest(ctx, backend, stream));
      return;
    }
    const fromImage = q.get('fromImage') ?? '';
    if (fromImage === '') throw new InvalidArgument('invalid reference format');
    const tag = q.get('tag') ?? '';
    const named = parseReference(fromImage);
    const platformSpec = q.get('platform') ?? '';
    const platform = platformSpec ? parsePlatform(platformSpec) : undefined;
    const auth = decodeRegistryAuth(ctx.req.headers['x-registry-auth'] as string | undefined);
    // No tag anywhere means every tag (`docker pull --all-tags` sends none); the CLI otherwise always sends one.
    if (tag === '' && named.tag === undefined && named.digest === undefined) {
      await streamProgress(ctx, (stream) => backend.pullAllTags(named, { platform, auth, signal: ctx.signal }, (m) => stream.write({ ...m })));
      return;
    }
    const ref = pullReference(fromImage, tag);
    await streamProgress(ctx, async (stream) => {
      await backend.pull(ref, { platform, auth, signal: ctx.signal }, (m) => stream.write({ ...m }));
    });
  });

  registerImageArchiveRoutes(router, backend);

  router.post('/images/prune', async (ctx) => {
    sendJson(ctx, 200, await backend.prune(Filters.parse(ctx.query.get('filters'))));
  });

  router.get('/images/{name:.*}/json', async (ctx) => {
    sendJson(ctx, 200, await backend.inspect(ctx.params.name ?? '', apiVersionNumber(ctx)));
  });

  router.get('/images/{name:.*}/history', async (ctx) => {
    sendJson(ctx, 200, await backend.history(ctx.params.name ?? ''));
  });

  router.post('/images/{name:.*}/tag', async (ctx) => {
    const repo = ctx.query.get('repo') ?? '';
    if (repo === '') throw new InvalidArgument('repository name must have at least one component');
    await backend.tag(ctx.params.name ?? '', repo, ctx.query.get('tag') ?? '');
    sendStatus(ctx, 201);
  });

  router.delete('/images/{name:.*}', async (ctx) => {
    const items = await backend.remove(ctx.params.name ?? '', {
      force: boolParam(ctx.query, 'force'),
      noprune: boolParam(ctx.query, 'noprune'),
    });
    sendJson(ctx, 200, items);
  });
}
