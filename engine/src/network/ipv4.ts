import { InvalidArgument } from '../base/errors.js';

/** IPv4 addresses as unsigned 32-bit integers, so subnet arithmetic is plain integer arithmetic. */
export type Ip4 = number;

export interface Cidr4 {
  /** The network address (host bits cleared). */
  base: Ip4;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIp4(text: string): Ip4 | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0) >>> 0;
}

export function formatIp4(ip: Ip4): string {
  return [24, 16, 8, 0].map((s) => (ip >>> s) & 255).join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `a.b.c.d/n` with the host part kept, as `--bip` and `--ip` with a prefix take it. */
export function parseIp4WithPrefix(text: string): { ip: Ip4; prefix: number } | undefined {
  const [ipText = '', prefixText, extra] = text.split('/');
  if (extra !== undefined || prefixText === undefined || !/^\d{1,2}$/.test(prefixText)) return undefined;
  const ip = parseIp4(ipText);
  const prefix = Number(prefixText);
  if (ip === undefined || prefix > 32) return undefined;
  return { ip, prefix };
}

/** A CIDR; `strict` refuses host bits (dockerd: "invalid subnet … : it should be …"). */
export function parseCidr4(text: string, what = 'subnet'): Cidr4 {
  const parsed = parseIp4WithPrefix(text);
  if (!parsed) throw new InvalidArgument(`invalid ${what}: invalid CIDR address: ${text}`);
  const base = (parsed.ip & maskOf(parsed.prefix)) >>> 0;
  return { base, prefix: parsed.prefix };
}

export function formatCidr4(c: Cidr4): string {
  return `${formatIp4(c.base)}/${c.prefix}`;
}

export function size(c: Cidr4): number {
  return 2 ** (32 - c.prefix);
}

export function lastAddress(c: Cidr4): Ip4 {
  return (c.base + size(c) - 1) >>> 0;
}

export function contains(c: Cidr4, ip: Ip4): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr4, b: Cidr4): boolean {
  return contains(a, b.base) || contains(b, a.base);
}

export function isLoopback(ip: Ip4): boolean {
  return ip >>> 24 === 127;
}

/** Whether text is an IPv4 address at all (IPv6 is recognised so callers can give IPv6-specific errors). */
export function isIp6Text(text: string): boolean {
  return text.includes(':');
}
