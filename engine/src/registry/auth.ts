/**
 * Registry credentials: the `X-Registry-Auth` header (base64url JSON AuthConfig, tolerant of standard base64 and
 * missing padding), `WWW-Authenticate` challenge parsing, and the Bearer token flow of the distribution auth spec.
 */
import { InvalidArgument } from '../base/errors.js';

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
  email?: string;
}

/** Decodes `X-Registry-Auth`; an absent, empty or `{}` header means anonymous. */
export function decodeRegistryAuth(header: string | undefined): AuthConfig | undefined {
  if (!header) return undefined;
  let json: unknown;
  try {
    const b64 = header.replace(/-/g, '+').replace(/_/g, '/');
    json = JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
  } catch {
    throw new InvalidArgument('invalid X-Registry-Auth header');
  }
  if (json === null || typeof json !== 'object') throw new InvalidArgument('invalid X-Registry-Auth header');
  return normaliseAuth(json as AuthConfig);
}

/** Fills username/password from `auth` ("user:pass" in base64); returns undefined for an empty config. */
export function normaliseAuth(a: AuthConfig): AuthConfig | undefined {
  const out: AuthConfig = { ...a };
  if (!out.username && out.auth) {
    const plain = Buffer.from(out.auth, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon > 0) {
      out.username = plain.slice(0, colon);
      out.password = plain.slice(colon + 1);
    }
  }
  if (!out.username && !out.password && !out.identitytoken && !out.registrytoken) return undefined;
  return out;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (several challenges may share one header). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  const out: Challenge[] = [];
  for (const value of values) {
    const re = /\s*([A-Za-z][\w-]*)(?:\s+|$)((?:[\w-]+=(?:"(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?\s*)*)/g;
    for (let m = re.exec(value); m && m[0] !== ''; m = re.exec(value)) {
      const params: Record<string, string> = {};
      const pre = /([\w-]+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
      for (let p = pre.exec(m[2] ?? ''); p; p = pre.exec(m[2] ?? '')) {
        params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
      }
      out.push({ scheme: m[1]!.toLowerCase(), params });
    }
  }
  return out;
}

export function basicHeader(a: AuthConfig): string | undefined {
  if (!a.username && !a.password) return undefined;
  return `Basic ${Buffer.from(`${a.username ?? ''}:${a.password ?? ''}`).toString('base64')}`;
}
