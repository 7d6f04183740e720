/**
 * Which URLs to try for a registry domain, as dockerd decides it: Docker Hub goes to its mirrors first (pulls only)
 * and then `registry-1.docker.io`; an insecure registry (loopback always, plus `--insecure-registry` hosts and
 * CIDRs) is tried over HTTPS without verification and then over plain HTTP.
 */
import { isIP } from 'node:net';
import { DEFAULT_DOMAIN } from './reference.js';

export interface RegistryConfig {
  insecureRegistries: string[];
  registryMirrors: string[];
}

export interface Endpoint {
  /** e.g. `https://127.0.0.1:5000`; API paths are appended (`/v2/...`). */
  base: URL;
  insecureTls: boolean;
  mirror: boolean;
}

export const HUB_HOST = 'registry-1.docker.io';

function hostOf(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']'));
  const colon = domain.lastIndexOf(':');
  return colon > 0 ? domain.slice(0, colon) : domain;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(ip) !== 4 || isIP(net ?? '') !== 4 || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((ipv4ToInt(ip) & mask) >>> 0) === ((ipv4ToInt(net!) & mask) >>> 0);
}

export function isInsecure(domain: string, cfg: RegistryConfig): boolean {
  const host = hostOf(domain);
  if (host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'))) return true;
  for (const entry of cfg.insecureRegistries) {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (e.includes('/') ? inCidr(host, e) : e === domain || e === host) return true;
  }
  return false;
}

export function endpointsFor(domain: string, cfg: RegistryConfig, opts: { push?: boolean } = {}): Endpoint[] {
  const out: Endpoint[] = [];
  if (domain === DEFAULT_DOMAIN) {
    if (!opts.push) {
      for (const m of cfg.registryMirrors) {
        const base = new URL(m);
        out.push({ base: new URL(base.origin), insecureTls: isInsecure(base.host, cfg), mirror: true });
      }
    }
    out.push({ base: new URL(`https://${HUB_HOST}`), insecureTls: false, mirror: false });
    return out;
  }
  const insecure = isInsecure(domain, cfg);
  out.push({ base: new URL(`https://${domain}`), insecureTls: insecure, mirror: false });
  if (insecure) out.push({ base: new URL(`http://${domain}`), insecureTls: true, mirror: false });
  return out;
}
