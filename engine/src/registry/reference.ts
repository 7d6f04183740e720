/**
 * Image references as dockerd normalises them: `busybox` → `docker.io/library/busybox:latest`,
 * `host:port/repo@sha256:…`, `repo:tag@digest`. The grammar is distribution/reference's; error texts are dockerd's.
 */
import { InvalidArgument } from '../base/errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const LEGACY_DOMAIN = 'index.docker.io';
export const OFFICIAL_PREFIX = 'library/';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const FULL_ID = /^(?:sha256:)?[a-f0-9]{64}$/;

export interface Reference {
  /** Registry host, e.g. `docker.io` or `127.0.0.1:5000`. */
  domain: string;
  /** Repository path inside the registry, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

export function invalidReference(detail?: string): InvalidArgument {
  return new InvalidArgument(detail ? `invalid reference format: ${detail}` : 'invalid reference format');
}

/** Splits `name[:tag][@digest]` and normalises the name like `reference.ParseNormalizedNamed`. */
export function parseReference(input: string): Reference {
  if (input === '' || input.length > 255 + 128 + 72) throw invalidReference();
  if (FULL_ID.test(input) && !input.includes(':')) {
    throw invalidReference(`invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalidReference();
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalidReference();
  }
  const { domain, path } = splitDomain(rest);
  if (path.toLowerCase() !== path) throw invalidReference(`repository name (${path}) must be lowercase`);
  if (!path.split('/').every((c) => COMPONENT.test(c))) throw invalidReference();
  if (!DOMAIN.test(domain)) throw invalidReference();
  const ref: Reference = { domain, path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let path = name;
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    path = name.slice(slash + 1);
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_PREFIX + path;
  if (path === '') throw invalidReference();
  return { domain, path };
}

/** A reference with `:latest` added when it names neither a tag nor a digest (`reference.TagNameOnly`). */
export function withDefaultTag(ref: Reference): Reference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref;
}

/** `docker.io/library/busybox` → `busybox`, `docker.io/foo/bar` → `foo/bar`; others unchanged. */
export function familiarName(ref: Pick<Reference, 'domain' | 'path'>): string {
  if (ref.domain !== DEFAULT_DOMAIN) return `${ref.domain}/${ref.path}`;
  return ref.path.startsWith(OFFICIAL_PREFIX) && ref.path.split('/').length === 2
    ? ref.path.slice(OFFICIAL_PREFIX.length)
    : ref.path;
}

/** The fully qualified repository name, `docker.io/library/busybox`. */
export function repositoryName(ref: Pick<Reference, 'domain' | 'path'>): string {
  return `${ref.domain}/${ref.path}`;
}

/** Familiar string form with tag and digest: `busybox:latest`, `127.0.0.1:5000/x@sha256:…`. */
export function familiarString(ref: Reference): string {
  let s = familiarName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Fully qualified string form, the key the image store uses. */
export function canonicalString(ref: Reference): string {
  let s = repositoryName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}
