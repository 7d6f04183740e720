import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { NotFound } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { API_VERSION, ENGINE_VERSION } from '../base/version.js';
import { sendError } from './respond.js';
import type { RequestContext, RouteTable } from './router.js';
import { checkVersion, splitVersion } from './version.js';

/** Sent on every response, as dockerd's version middleware does. */
const COMMON_HEADERS: Record<string, string> = {
  Server: `Berth/${ENGINE_VERSION} (linux)`,
  'Api-Version': API_VERSION,
  Ostype: 'linux',
};

/**
 * How long a client may leave a request half-sent: the header block, or a pause inside a request body. Response
 * streams (attach, logs -f, events, build output) are never timed: the client is only waiting there. Default one
 * minute; `BERTHD_REQUEST_IDLE_MS` shortens it for tests.
 */
export interface ApiTimeouts {
  requestIdleMs: number;
}

export function defaultTimeouts(env: NodeJS.ProcessEnv = process.env): ApiTimeouts {
  const fromEnv = Number(env.BERTHD_REQUEST_IDLE_MS);
  return { requestIdleMs: Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 60_000 };
}

export class PageNotFound extends NotFound {
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
  private readonly router: RouteTable;
  private readonly log: Logger;
  private readonly open = new Set<AbortController>();

  private readonly timeouts: ApiTimeouts;
  private readonly connections = new WeakMap<Socket, { busy: number; idleSince: number }>();

  constructor(router: RouteTable, log: Logger, timeouts: ApiTimeouts = defaultTimeouts()) {
    this.router = router;
    this.log = log;
    this.timeouts = timeouts;
    // requestTimeout 0: image loads and build contexts can take longer than Node's default 5 minutes to upload; a
    // stalled body is cut by timeBody instead. Node's own headersTimeout never runs here (its check starts when the
    // http.Server listens; ours is handed connections by the unix listeners), so timeHeaders does that job.
    this.http = http.createServer({ requestTimeout: 0, keepAliveTimeout: 30_000 }, (req, res) => {
      void this.dispatch(req, res);
    });
    this.http.on('connection', (socket: Socket) => this.timeHeaders(socket));
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
    this.requestStarted(req.socket, res, upgrade !== undefined);
    if (!upgrade) this.timeBody(req);
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

  /**
   * Closes a connection that has no request in progress for longer than the idle timeout: a header block that
   * never ends, or nothing sent at all. Between requests Node's keep-alive timeout usually closes first.
   */
  private timeHeaders(socket: Socket): void {
    const idle = this.timeouts.requestIdleMs;
    const state = { busy: 0, idleSince: Date.now() };
    this.connections.set(socket, state);
    const check = setInterval(() => {
      if (state.busy > 0 || Date.now() - state.idleSince < idle) return;
      clearInterval(check);
      this.log.debug('request header incomplete: closing the connection');
      socket.destroy();
    }, Math.max(100, idle / 4));
    check.unref();
    socket.once('close', () => clearInterval(check));
  }

  /** Marks the connection busy until the response is done; an upgraded connection stays busy until it closes. */
  private requestStarted(socket: Socket, res: ServerResponse, upgraded: boolean): void {
    const state = this.connections.get(socket);
    if (!state) return;
    state.busy++;
    if (upgraded) return;
    let done = false;
    const finished = (): void => {
      if (done) return;
      done = true;
      state.busy--;
      state.idleSince = Date.now();
    };
    res.once('finish', finished);
    res.once('close', finished);
  }

  /**
   * Cuts a request whose body stops arriving for longer than the idle timeout (a body that never ends); a body that
   * keeps moving may take as long as it needs, and one waiting on us (bytes buffered, unread) is never cut.
   * Watched through the socket's byte count, since a 'data' listener would consume the body. Upgraded connections
   * carry stdin, which may idle: not timed.
   */
  private timeBody(req: IncomingMessage): void {
    if (req.complete) return;
    const idle = this.timeouts.requestIdleMs;
    let seen = req.socket.bytesRead;
    let quietSince = Date.now();
    const check = setInterval(() => {
      if (req.complete || req.destroyed) {
        clearInterval(check);
        return;
      }
      const now = req.socket.bytesRead;
      if (now !== seen || req.readableLength > 0) {
        seen = now;
        quietSince = Date.now();
        return;
      }
      if (Date.now() - quietSince < idle) return;
      clearInterval(check);
      this.log.debug({ method: req.method, url: req.url }, 'request body stalled: closing the connection');
      req.socket.destroy();
    }, Math.max(100, idle / 4));
    check.unref();
    req.once('close', () => clearInterval(check));
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
