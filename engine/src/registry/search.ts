/**
 * `GET /images/search` (`docker search`): the registry index's v1 search API (`/v1/search?q=&n=`), as dockerd
 * asks it: Docker Hub's index for plain terms, the named registry for `host[:port]/term`. A registry without that
 * API (the distribution registry has none) gives dockerd's `Unexpected status code 404`.
 */
import { InvalidArgument, NotFound, SystemError } from '../base/errors.js';
import { basicHeader, normaliseAuth, type AuthConfig } from './auth.js';
import { isInsecure, type RegistryConfig } from './hosts.js';
import { TransportError, httpRequest, readBody } from './http.js';

export interface SearchResult {
  star_count: number;
  is_official: boolean;
  name: string;
  is_automated: boolean;
  description: string;
}

export interface SearchFilters {
  isOfficial?: boolean;
  isAutomated?: boolean;
  stars?: number;
}

const HUB_INDEX = 'index.docker.io';

/** dockerd's splitReposSearchTerm: a first part with `.` or `:` (or `localhost`) names the registry. */
export function splitSearchTerm(term: string): { index: string; remote: string } {
  const cut = term.indexOf('/');
  const first = cut < 0 ? term : term.slice(0, cut);
  if (cut < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return { index: HUB_INDEX, remote: term };
  const index = first === 'docker.io' ? HUB_INDEX : first;
  return { index, remote: term.slice(cut + 1) };
}

export async function searchRegistry(config: RegistryConfig, term: string, limit: number, filters: SearchFilters, auth?: AuthConfig): Promise<SearchResult[]> {
  if (limit < 1 || limit > 100) throw new InvalidArgument(`limit ${limit} is outside the range of [1, 100]`);
  const { index, remote } = splitSearchTerm(term);
  if (remote.includes(':')) throw new InvalidArgument(`invalid repository name (ex: "registry.domain.tld/myrepos")`);
  const official = index === HUB_INDEX;
  const query = official ? remote.replace(/^library\//, '') : remote;
  const insecure = !official && isInsecure(index, config);
  const bases = [`https://${index}`, ...(insecure ? [`http://${index}`] : [])];
  const normalised = auth ? normaliseAuth(auth) : undefined;
  const authorization = normalised ? basicHeader(normalised) : undefined;
  let lastError: unknown;
  for (const base of bases) {
    const url = new URL(`${base}/v1/search`);
    url.searchParams.set('q', query);
    url.searchParams.set('n', String(limit));
    let res;
    try {
      res = await httpRequest({
        method: 'GET',
        url,
        headers: { 'X-Docker-Token': 'true', ...(authorization ? { Authorization: authorization } : {}) },
        insecureTls: insecure,
        timeoutMs: 30_000,
      });
    } catch (err) {
      lastError = err;
      if (err instanceof TransportError) continue;
      throw err;
    }
    const body = await readBody(res, 8 << 20);
    if (res.status !== 200) throw new SystemError(`Unexpected status code ${res.status}`);
    let parsed: { results?: Array<Partial<SearchResult>> };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch (err) {
      throw new SystemError(`error decoding search results from ${index}: ${(err as Error).message}`);
    }
    return (parsed.results ?? [])
      .map((r) => ({
        star_count: Number(r.star_count ?? 0),
        is_official: r.is_official === true,
        name: String(r.name ?? ''),
        is_automated: r.is_automated === true,
        description: String(r.description ?? ''),
      }))
      .filter((r) => filters.isOfficial === undefined || r.is_official === filters.isOfficial)
      .filter((r) => filters.isAutomated === undefined || r.is_automated === filters.isAutomated)
      .filter((r) => filters.stars === undefined || r.star_count >= filters.stars)
      .slice(0, limit);
  }
  if (lastError instanceof Error) throw lastError;
  throw new NotFound(`no search endpoint for ${index}`);
}
