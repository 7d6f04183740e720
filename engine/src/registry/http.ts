/**
 * A small HTTP client over node:http/https for the registry protocol: streaming bodies both ways, manual redirects
 * (blob storage redirects to another host, and the Authorization header must not follow it there), keep-alive
 * pools, idle timeouts with Go-like error texts, and TLS verification that an insecure registry can switch off.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type * as HttpsModule from 'node:https';
import type { Readable } from 'node:stream';
import { SystemError, Unavailable } from '../base/errors.js';

export interface HttpRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  insecureTls?: boolean;
  /** Idle timeout per socket, ms. */
  timeoutMs?: number;
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: IncomingMessage;
  url: URL;
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 32 });

/** node:https (and TLS with it) loads at the first HTTPS request: an idle engine does without it. */
let httpsClient: Promise<{ https: typeof HttpsModule; agent: HttpsModule.Agent; insecureAgent: HttpsModule.Agent }> | undefined;
function loadHttps(): NonNullable<typeof httpsClient> {
  httpsClient ??= import('node:https').then((mod) => {
    const https = mod.default;
    return {
      https,
      agent: new https.Agent({ keepAlive: true, maxSockets: 32 }),
      insecureAgent: new https.Agent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: false }),
    };
  });
  return httpsClient;
}

/** A transport failure (no HTTP response at all): the caller may fall back from HTTPS to HTTP. */
export class TransportError extends Unavailable {
  readonly tlsProblem: boolean;
  constructor(message: string, tlsProblem: boolean, cause: unknown) {
    super(message, { cause });
    this.tlsProblem = tlsProblem;
  }
}

/** Node's TLS failures in Go's words (what dockerd prints): a plain-HTTP server, or a certificate not trusted. */
function tlsFailureText(err: NodeJS.ErrnoException): string {
  const code = err.code ?? '';
  if (/wrong version number|WRONG_VERSION_NUMBER/i.test(`${code} ${err.message}`)) return 'http: server gave HTTP response to HTTPS client';
  if (/SELF_SIGNED|UNABLE_TO_GET_ISSUER|UNABLE_TO_VERIFY_LEAF/.test(code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `tls: failed to verify certificate: x509: ${err.message}`;
  return `tls: ${err.message}`;
}

function verb(method: string): string {
  return method.charAt(0) + method.slice(1).toLowerCase();
}

async function once(req: HttpRequest): Promise<HttpResponse> {
  const { url } = req;
  const isHttps = url.protocol === 'https:';
  const secure = isHttps ? await loadHttps() : undefined;
  const agent = secure ? (req.insecureTls ? secure.insecureAgent : secure.agent) : httpAgent;
  const headers: Record<string, string> = { 'User-Agent': 'berthd', ...req.headers };
  if (Buffer.isBuffer(req.body)) headers['Content-Length'] = String(req.body.length);
  return new Promise((resolve, reject) => {
    const r = (secure ? secure.https : http).request(url, { method: req.method, headers, agent }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url });
    });
    const timeoutMs = req.timeoutMs ?? 60_000;
    r.setTimeout(timeoutMs, () => {
      r.destroy(new TransportError(`${verb(req.method)} "${url.href}": net/http: timeout awaiting response headers`, false, null));
    });
    r.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof TransportError) return reject(err);
      const host = url.host;
      const tls = /SSL|TLS|EPROTO|CERT|wrong version/i.test(`${err.code ?? ''} ${err.message}`);
      let detail = err.message;
      if (err.code === 'ECONNREFUSED') detail = `dial tcp ${host}: connect: connection refused`;
      else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') detail = `dial tcp: lookup ${url.hostname}: no such host`;
      else if (tls) detail = tlsFailureText(err);
      reject(new TransportError(`${verb(req.method)} "${url.href}": ${detail}`, tls, err));
    });
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else {
      req.body.on('error', (e) => r.destroy(e));
      req.body.pipe(r);
    }
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Sends a request, following redirects for bodiless requests; drops Authorization on a change of origin. */
export async function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  let current = req;
  for (let hops = 0; hops < 10; hops++) {
    const res = await once(current);
    const location = res.headers.location;
    const canFollow = current.followRedirects !== false && (current.body === undefined || Buffer.isBuffer(current.body));
    if (!REDIRECTS.has(res.status) || !location || !canFollow) return res;
    res.body.resume();
    const next = new URL(location, current.url);
    const headers = { ...current.headers };
    if (next.origin !== current.url.origin) delete headers.Authorization;
    const method = res.status === 303 ? 'GET' : current.method;
    current = { ...current, url: next, headers, method, ...(method === 'GET' ? { body: undefined } : {}) };
  }
  throw new SystemError(`${verb(req.method)} "${req.url.href}": stopped after 10 redirects`);
}

export async function readBody(res: HttpResponse, limit = 32 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res.body) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.body.destroy();
      throw new SystemError(`response from ${res.url.href} is larger than ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
