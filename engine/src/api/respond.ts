import { InvalidArgument, errorMessage } from '../base/errors.js';
import type { RequestContext } from './router.js';
import { statusFromError } from './httpstatus.js';
import { checkGoDecodable, jsonDepthExceeds } from './validate/go-decode.js';
import type { GoNode } from './validate/go-node.js';

/** dockerd writes JSON with Go's encoder, which ends every document with a newline. */
export function sendJson(ctx: RequestContext, status: number, body: unknown): void {
  const payload = `${JSON.stringify(body)}\n`;
  ctx.res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
  });
  ctx.res.end(payload);
}

export function sendStatus(ctx: RequestContext, status: number): void {
  ctx.res.writeHead(status);
  ctx.res.end();
}

export function sendText(ctx: RequestContext, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  ctx.res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text) });
  ctx.res.end(text);
}

/** Answers an error as `{"message": …}` with the status from the one mapping; 304 carries no body. */
export function sendError(ctx: Pick<RequestContext, 'res'>, err: unknown): void {
  const status = statusFromError(err);
  const { res } = ctx;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 304) {
    res.writeHead(304);
    res.end();
    return;
  }
  const payload = `${JSON.stringify({ message: errorMessage(err) })}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}

export async function readBody(ctx: RequestContext, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new InvalidArgument(`request body too large (limit ${limit} bytes)`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a JSON body as dockerd does: an empty body is `undefined`; a non-empty body must say it is JSON
 * (or say nothing), must parse, nest no deeper than MAX_JSON_DEPTH and, given the Go type dockerd decodes it into
 * (`validate/bodies.gen.ts`), have the types Go would accept.
 */
export async function readJsonBody<T>(ctx: RequestContext, shape?: GoNode): Promise<T | undefined> {
  const raw = await readBody(ctx);
  if (raw.length === 0) return undefined;
  const type = (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (type !== '' && type !== 'application/json') {
    throw new InvalidArgument(`unsupported Content-Type header (${type}): must be 'application/json'`);
  }
  return parseJsonBody<T>(raw.toString('utf8'), shape);
}

/** Parses a JSON body's text as readJsonBody does: bounded nesting, and Go's types when `shape` is given. */
export function parseJsonBody<T>(text: string, shape?: GoNode): T {
  if (jsonDepthExceeds(text)) throw new InvalidArgument('invalid JSON: exceeded max depth');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgument(`invalid JSON: ${(err as Error).message}`);
  }
  if (shape) checkGoDecodable(body, shape);
  return body as T;
}

/** Starts a streaming 200 response and flushes the headers at once, so clients see the stream open. */
export function startStream(ctx: RequestContext, contentType: string): void {
  ctx.res.writeHead(200, { 'Content-Type': contentType });
  ctx.res.flushHeaders();
}

/**
 * A JSON-lines progress stream (pull, push, load, build): each message followed by `\r\n` as dockerd's stream
 * formatter writes it. After the 200 is out, errors travel in-band as `errorDetail` plus the legacy `error`.
 */
export class JsonMessageStream {
  private readonly ctx: RequestContext;
  private started = false;

  constructor(ctx: RequestContext) {
    this.ctx = ctx;
  }

  write(message: Record<string, unknown>): void {
    if (!this.started) {
      startStream(this.ctx, 'application/json');
      this.started = true;
    }
    this.ctx.res.write(`${JSON.stringify(message)}\r\n`);
  }

  /** Sends the 200 now, so any later failure goes in-band (dockerd's image load answers so). */
  begin(): void {
    if (!this.started) startStream(this.ctx, 'application/json');
    this.started = true;
  }

  /** Reports a failure: as a normal error response if nothing was sent yet, in-band otherwise. */
  fail(err: unknown): void {
    if (!this.started) {
      sendError(this.ctx, err);
      return;
    }
    const message = errorMessage(err);
    this.write({ errorDetail: { message }, error: message });
    this.ctx.res.end();
  }

  end(): void {
    if (!this.started) startStream(this.ctx, 'application/json');
    this.started = true;
    this.ctx.res.end();
  }
}
