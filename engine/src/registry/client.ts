/**
 * A client for one repository on one registry (OCI distribution spec + Docker registry v2). It picks the endpoint
 * (mirror, HTTPS, HTTP fallback for insecure registries) on first contact, answers `WWW-Authenticate` challenges
 * with Basic or Bearer tokens (scoped to pull or pull,push, plus the source repository of a cross-repo mount), and
 * maps failures to engine errors.
 */
import type { Readable } from 'node:stream';
import { SystemError, Unauthorized, errorMessage } from '../base/errors.js';
import { basicHeader, parseChallenges, type AuthConfig } from './auth.js';
import { unexpectedStatus } from './errors.js';
import { endpointsFor, type Endpoint, type RegistryConfig } from './hosts.js';
import { TransportError, httpRequest, readBody, type HttpResponse } from './http.js';

export interface ClientOptions {
  config: RegistryConfig;
  auth?: AuthConfig | undefined;
  push?: boolean;
}

interface SendOptions {
  headers?: Record<string, string>;
  body?: Buffer | Readable;
  /** Absolute URL (e.g. an upload Location) instead of a path under the endpoint. */
  url?: URL;
  followRedirects?: boolean;
}

export class RepositoryClient {
  readonly domain: string;
  readonly path: string;
  private readonly candidates: Endpoint[];
  private endpoint: Endpoint | undefined;
  private authorization: string | undefined;
  private readonly scopes: Set<string>;

  constructor(
    domain: string,
    path: string,
    private readonly opts: ClientOptions,
  ) {
    this.domain = domain;
    this.path = path;
    this.candidates = endpointsFor(domain, opts.config, { push: opts.push ?? false });
    this.scopes = new Set([`repository:${path}:${opts.push ? 'pull,push' : 'pull'}`]);
  }

  /** Adds a scope for a later token (cross-repo mounts need pull on the source repository). */
  addScope(scope: string): void {
    if (this.scopes.has(scope)) return;
    this.scopes.add(scope);
    if (this.authorization?.startsWith('Bearer ')) this.authorization = undefined;
  }

  url(apiPath: string): URL {
    if (!this.endpoint) throw new SystemError('registry endpoint not chosen yet');
    return new URL(apiPath, this.endpoint.base);
  }

  /** Sends a request under `/v2/<repo>/...` (or an absolute API path), choosing the endpoint on first use. */
  async send(method: string, sub: string, o: SendOptions = {}): Promise<HttpResponse> {
    const apiPath = sub.startsWith('/') ? sub : `/v2/${this.path}/${sub}`;
    if (this.endpoint) return this.sendTo(this.endpoint, method, apiPath, o);
    let lastErr: unknown;
    for (const ep of this.candidates) {
      try {
        const res = await this.sendTo(ep, method, apiPath, o);
        // A mirror that fails or lacks the content is skipped, as dockerd does.
        if (ep.mirror && res.status >= 400) {
          res.body.resume();
          continue;
        }
        this.endpoint = ep;
        return res;
      } catch (err) {
        lastErr = err;
        if (!(err instanceof TransportError) && !ep.mirror) throw err;
      }
    }
    throw lastErr instanceof Error ? lastErr : new SystemError(errorMessage(lastErr));
  }

  private async sendTo(ep: Endpoint, method: string, apiPath: string, o: SendOptions): Promise<HttpResponse> {
    const url = o.url ?? new URL(apiPath, ep.base);
    const attempt = (): Promise<HttpResponse> =>
      httpRequest({
        method,
        url,
        headers: { ...o.headers, ...(this.authorization ? { Authorization: this.authorization } : {}) },
        ...(o.body !== undefined ? { body: o.body } : {}),
        insecureTls: ep.insecureTls,
        ...(o.followRedirects !== undefined ? { followRedirects: o.followRedirects } : {}),
      });
    const res = await attempt();
    const retryable = o.body === undefined || Buffer.isBuffer(o.body);
    if (res.status !== 401 || !retryable) return res;
    const body = await readBody(res).catch(() => Buffer.alloc(0));
    const before = this.authorization;
    await this.authorize(ep, res.headers['www-authenticate'], body);
    if (this.authorization === before) throw unexpectedStatus(401, body);
    return attempt();
  }

  private async authorize(ep: Endpoint, header: string | string[] | undefined, body: Buffer): Promise<void> {
    const challenges = parseChallenges(header);
    const auth = this.opts.auth;
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    if (bearer?.params.realm) {
      this.authorization = `Bearer ${await this.fetchToken(ep, bearer.params, auth)}`;
      return;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      const basic = auth ? basicHeader(auth) : undefined;
      if (!basic) throw new Unauthorized(describeOr(body, 'no basic auth credentials'));
      if (this.authorization === basic) throw unexpectedStatus(401, body);
      this.authorization = basic;
      return;
    }
    throw unexpectedStatus(401, body);
  }

  private async fetchToken(ep: Endpoint, params: Record<string, string>, auth: AuthConfig | undefined): Promise<string> {
    const realm = new URL(params.realm!);
    if (params.service) realm.searchParams.set('service', params.service);
    for (const s of this.scopes) realm.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    const basic = auth ? basicHeader(auth) : undefined;
    if (basic) headers.Authorization = basic;
    else if (auth?.registrytoken) return auth.registrytoken;
    const res = await httpRequest({ method: 'GET', url: realm, headers, insecureTls: ep.insecureTls });
    const body = await readBody(res, 1 << 20);
    if (res.status === 401) throw new Unauthorized(describeOr(body, 'unauthorized: incorrect username or password'));
    if (res.status >= 300) throw unexpectedStatus(res.status, body);
    const parsed = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string };
    const token = parsed.token ?? parsed.access_token;
    if (!token) throw new SystemError(`token response from ${realm.origin} carries no token`);
    return token;
  }

  /** `GET /v2/`: checks reachability and credentials (used by `POST /auth`). */
  async ping(): Promise<void> {
    const res = await this.send('GET', '/v2/');
    const body = await readBody(res, 1 << 20);
    if (res.status >= 300) throw unexpectedStatus(res.status, body);
  }
}

function describeOr(body: Buffer, fallback: string): string {
  try {
    const errs = (JSON.parse(body.toString('utf8')) as { errors?: { message?: string }[] }).errors;
    const m = errs?.[0]?.message;
    return m ? `unauthorized: ${m}` : fallback;
  } catch {
    return fallback;
  }
}
