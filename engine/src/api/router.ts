import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../base/log.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** Everything a route handler gets for one request. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  /** The path without its `/v1.xx` prefix. */
  readonly path: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  /** The API version the client asked for by path prefix, or the daemon's default. */
  readonly apiVersion: string;
  readonly log: Logger;
  /** Aborted when the client goes away, so long-running handlers (events, logs, wait) can stop. */
  readonly signal: AbortSignal;
  /** Present when the client sent `Upgrade:` (attach, exec start, websocket): the raw socket to hijack. */
  readonly upgrade?: { socket: Duplex; head: Buffer };
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
}

/** What the API server asks of a route table: the handler of a request, or none (404). */
export interface RouteTable {
  match(method: string, path: string): RouteMatch | undefined;
}

interface Route {
  method: HttpMethod;
  pattern: string;
  regex: RegExp;
  keys: string[];
  handler: Handler;
}

/**
 * Routes written the way moby writes them: `/containers/{id}/json`, and `{name:.*}` for image names that contain
 * slashes. The first registered match wins, so register literal paths before patterns that could swallow them.
 */
export class Router implements RouteTable {
  private readonly routes: Route[] = [];

  add(method: HttpMethod, pattern: string, handler: Handler): this {
    const keys: string[] = [];
    const source = pattern
      .split(/(\{[a-zA-Z0-9_]+(?::[^}]+)?\})/)
      .map((part) => {
        const m = /^\{([a-zA-Z0-9_]+)(?::([^}]+))?\}$/.exec(part);
        if (!m) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        keys.push(m[1] as string);
        return `(${m[2] ?? '[^/]+'})`;
      })
      .join('');
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  get(pattern: string, handler: Handler): this {
    return this.add('GET', pattern, handler);
  }
  head(pattern: string, handler: Handler): this {
    return this.add('HEAD', pattern, handler);
  }
  post(pattern: string, handler: Handler): this {
    return this.add('POST', pattern, handler);
  }
  put(pattern: string, handler: Handler): this {
    return this.add('PUT', pattern, handler);
  }
  delete(pattern: string, handler: Handler): this {
    return this.add('DELETE', pattern, handler);
  }

  match(method: string, path: string): RouteMatch | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const m = route.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => {
        params[key] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { handler: route.handler, params };
    }
    return undefined;
  }
}
