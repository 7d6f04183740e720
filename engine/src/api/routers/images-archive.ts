import type { Readable, Writable } from 'node:stream';
import { InvalidArgument } from '../../base/errors.js';
import { boolParam } from '../../base/query.js';
import type { ImportOptions } from '../../images/import.js';
import type { ProgressSink } from '../../images/progress.js';
import { decodeRegistryAuth, type AuthConfig } from '../../registry/auth.js';
import type { RequestContext, Router } from '../router.js';
import { JsonMessageStream, sendError } from '../respond.js';


/** Push, save, load and import: the verbs that move whole images in and out. */
export interface ImageArchiveBackend {
  push(name: string, tag: string, auth: AuthConfig | undefined, sink: ProgressSink, signal?: AbortSignal): Promise<void>;
  save(names: string[], out: Writable): Promise<void>;
  /** Checks the names before any byte of the tar goes out, so a bad name is a clean 404. */
  checkSave(names: string[]): void;
  load(input: Readable, quiet: boolean, sink: ProgressSink): Promise<void>;
  importTar(input: Readable, opts: ImportOptions, sink: ProgressSink): Promise<void>;
}

async function stream(ctx: RequestContext, work: (sink: ProgressSink) => Promise<void>, opts: { inBandErrors?: boolean } = {}): Promise<void> {
  const s = new JsonMessageStream(ctx);
  if (opts.inBandErrors) s.begin();
  try {
    await work((m) => s.write({ ...m }));
    s.end();
  } catch (err) {
    s.fail(err);
  }
}

async function save(ctx: RequestContext, backend: ImageArchiveBackend, names: string[]): Promise<void> {
  if (names.length === 0) throw new InvalidArgument('no images specified');
  backend.checkSave(names);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await backend.save(names, ctx.res);
    ctx.res.end();
  } catch (err) {
    sendError(ctx, err);
  }
}

export function registerImageArchiveRoutes(router: Router, backend: ImageArchiveBackend): void {
  router.get('/images/get', (ctx) => save(ctx, backend, ctx.query.getAll('names')));
  // dockerd answers 200 at once and reports a bad archive in the stream (docker-py raises ImageLoadError from it).
  router.post('/images/load', (ctx) => stream(ctx, (sink) => backend.load(ctx.req, boolParam(ctx.query, 'quiet'), sink), { inBandErrors: true }));
  router.get('/images/{name:.*}/get', (ctx) => save(ctx, backend, [ctx.params.name ?? '']));
  router.post('/images/{name:.*}/push', async (ctx) => {
    const auth = decodeRegistryAuth(ctx.req.headers['x-registry-auth'] as string | undefined);
    await stream(ctx, (sink) => backend.push(ctx.params.name ?? '', ctx.query.get('tag') ?? '', auth, sink, ctx.signal));
  });
}

/** `POST /images/create?fromSrc=-`: the request body is the tar (URLs are not fetched). */
export function importFromRequest(ctx: RequestContext, backend: ImageArchiveBackend, s: JsonMessageStream): Promise<void> {
  const q = ctx.query;
  const src = q.get('fromSrc') ?? '';
  if (src !== '-') throw new InvalidArgument(`importing from a URL is not supported: ${src}`);
  return backend.importTar(
    ctx.req,
    {
      repo: q.get('repo') ?? '',
      tag: q.get('tag') ?? '',
      changes: q.getAll('changes'),
      message: q.get('message') ?? '',
      platform: q.get('platform') ?? '',
    },
    (m) => s.write({ ...m }),
  );
}
