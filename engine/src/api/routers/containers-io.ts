import { errorMessage } from '../../base/errors.js';
import { boolParam, intParam } from '../../base/query.js';
import { versionAtLeast } from '../../base/version.js';
import type { AttachOptions, PreparedSession } from '../../containers/attach.js';
import type { LogsQuery, LogsResult } from '../../containers/logs.js';
import { readJsonBody, sendJson, sendStatus } from '../respond.js';
import { execCreate } from '../validate/bodies.gen.js';
import type { RequestContext, Router } from '../router.js';
import { hijack, readUpgradeJson, streamContentType, writeAllWithDrain } from './hijack.js';
import { serveWebSocketAttach } from './ws-attach.js';

export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/** What the container I/O routes need; the containers layer's ContainerIoService (and exec service) provide it. */
export interface ContainerIoBackend {
  attach(idOrName: string, o: AttachOptions): PreparedSession;
  logs(idOrName: string, q: LogsQuery, signal: AbortSignal): LogsResult;
  resize(idOrName: string, height: number, width: number): Promise<void>;
  top(idOrName: string, psArgs: string): Promise<TopResult>;
  createExec(idOrName: string, body: Record<string, unknown>): Promise<{ Id: string }>;
}

function attachOptions(ctx: RequestContext, all: boolean): AttachOptions {
  const q = ctx.query;
  return {
    stream: boolParam(q, 'stream'),
    logs: boolParam(q, 'logs'),
    stdin: all || boolParam(q, 'stdin'),
    stdout: all || boolParam(q, 'stdout'),
    stderr: all || boolParam(q, 'stderr'),
    detachKeys: q.get('detachKeys') ?? undefined,
  };
}

/**
 * Serves a prepared session on the hijacked connection. A failure after the 101 cannot be a status any more: as
 * dockerd does for exec, its message goes to the client on the stream (stdout) before the stream ends.
 */
export async function serveHijacked(ctx: RequestContext, session: PreparedSession): Promise<void> {
  // A body sent with the upgrade (dockerode sends its options) is not stdin; dockerd drops it too.
  await readUpgradeJson(ctx).catch(() => undefined);
  const h = hijack(ctx, session.tty);
  try {
    await session.run(h.client);
  } catch (err) {
    ctx.log.warn({ path: ctx.path, err: errorMessage(err) }, 'stream session failed');
    await h.client.write('stdout', Buffer.from(`${errorMessage(err)}\r\n`));
  } finally {
    h.close();
  }
}

async function logsRoute(ctx: RequestContext, backend: ContainerIoBackend): Promise<void> {
  const q = ctx.query;
  const result = backend.logs(
    ctx.params.id ?? '',
    {
      follow: boolParam(q, 'follow'),
      stdout: boolParam(q, 'stdout'),
      stderr: boolParam(q, 'stderr'),
      tail: q.get('tail') ?? 'all',
      since: q.get('since') ?? '',
      until: q.get('until') ?? '',
      timestamps: boolParam(q, 'timestamps'),
    },
    ctx.signal,
  );
  const iterator = result.chunks[Symbol.asyncIterator]();
  // The first read surfaces file errors while a proper status can still be sent.
  let next = await iterator.next();
  ctx.res.writeHead(200, { 'Content-Type': streamContentType(ctx, result.tty) });
  ctx.res.flushHeaders();
  try {
    while (!next.done) {
      await writeAllWithDrain(ctx.res, next.value);
      if (ctx.signal.aborted) break;
      next = await iterator.next();
    }
  } finally {
    await iterator.return?.(undefined);
    ctx.res.end();
  }
}

export function registerContainerIoRoutes(router: Router, backend: ContainerIoBackend): void {
  router.post('/containers/{id}/attach', async (ctx) => {
    const session = backend.attach(ctx.params.id ?? '', attachOptions(ctx, false));
    await serveHijacked(ctx, session);
  });
  router.get('/containers/{id}/attach/ws', async (ctx) => {
    // Before 1.42 the WebSocket attach always carried all three streams.
    const all = !versionAtLeast(ctx.apiVersion, '1.42');
    const session = backend.attach(ctx.params.id ?? '', attachOptions(ctx, all));
    await serveWebSocketAttach(ctx, session);
  });
  router.get('/containers/{id}/logs', (ctx) => logsRoute(ctx, backend));
  router.post('/containers/{id}/resize', async (ctx) => {
    const h = intParam(ctx.query, 'h', 0);
    const w = intParam(ctx.query, 'w', 0);
    await backend.resize(ctx.params.id ?? '', h, w);
    sendStatus(ctx, 200);
  });
  router.get('/containers/{id}/top', async (ctx) => {
    sendJson(ctx, 200, await backend.top(ctx.params.id ?? '', ctx.query.get('ps_args') || '-ef'));
  });
  router.post('/containers/{id}/exec', async (ctx) => {
    const body = (await readJsonBody<Record<string, unknown>>(ctx, execCreate)) ?? {};
    sendJson(ctx, 201, await backend.createExec(ctx.params.id ?? '', body));
  });
}
