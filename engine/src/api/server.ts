import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { NotFound } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { API_VERSION, ENGINE_VERSION } from '../base/version.js';
import { sendError } from './respond.js';
import type { RequestContext, Router } from './router.js';
import { checkVersion, splitVersion } from './version.js';

/** Sent on every response, as dockerd's version middleware does. */
const COMMON_HEADERS: Record<string, string> = {
  Server: `Berth/${ENGINE_VERSION} (linux)`,
  'Api-Version': API_VERSION,
  Ostype: 'linux',
};

class PageNotFound extends NotFound {
  constructor() {
    super('page not found');
  }
}

/**
 * The Docker Engine API over HTTP/1.1. Transport-agnostic: `attach()` takes any listening net.Server-compatible
 * http.Server; `daemon/listeners.ts` opens the unix sockets.
 */
export class ApiServer {
  readonly http: http.Server;
  private readonly router: Router;
  private readonly log: Logger;
  private readonly open = new Set<AbortController>();

  constructor(router: Router, log: Logger) {
    this.router = router;
    this.log = log;
    // requestTimeout 0: image loads and build contexts can take longer than Node's default 5 minutes to upload.
    this.http = http.createServer({ requestTimeout: 0, keepAliveTimeout: 30_000 }, (req, res) => {
      void this.dispatch(req, res);
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // A response object on the raw socket lets non-hijacking handlers and errors answer normally.
      const res = new http.ServerResponse(req);
      res.assignSocket(socket as never);
      res.shouldKeepAlive = false;
      void this.dispatch(req, res, { socket, head });
    });
    this.http.on('clientError', (err, socket) => {
      this.log.debug({ err: err.message }, 'bad client request');
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> {
    const started = process.hrtime.bigint();
    for (const [k, v] of Object.entries(COMMON_HEADERS)) res.setHeader(k, v);
    const url = new URL(req.url ?? '/', 'http://berthd');
    const { version, path } = splitVersion(url.pathname);
    const abort = new AbortController();
    this.open.add(abort);
    const onGone = (): void => abort.abort();
    res.on('close', onGone);
    upgrade?.socket.on('close', onGone);
    const ctx: RequestContext = {
      req,
      res,
      method: req.method ?? 'GET',
      path,
      params: {},
      query: url.searchParams,
      apiVersion: version,
      log: this.log,
      signal: abort.signal,
      ...(upgrade ? { upgrade } : {}),
    };
    try {
      checkVersion(version);
      const match = this.router.match(ctx.method, path);
      if (!match) throw new PageNotFound();
      Object.assign(ctx.params, match.params);
      await match.handler(ctx);
    } catch (err) {
      const level = (err as { kind?: string }).kind === undefined ? 'error' : 'debug';
      this.log[level]({ method: ctx.method, path: url.pathname, err: (err as Error).message }, 'request failed');
      sendError(ctx, err);
    } finally {
      this.open.delete(abort);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.log.debug({ method: ctx.method, path: url.pathname, status: res.statusCode, ms }, 'request');
    }
  }

  /** Stops accepting, ends long-running streams (events, logs) and closes idle keep-alive connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    for (const abort of this.open) abort.abort();
    this.http.closeIdleConnections();
    const deadline = setTimeout(() => this.http.closeAllConnections(), 2_000);
    await closed;
    clearTimeout(deadline);
  }
}
