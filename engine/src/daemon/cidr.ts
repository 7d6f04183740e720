import { InvalidArgument } from '../base/errors.js';

export interface AddressPool {
  base: string;
  size: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Validates `a.b.c.d/n` and returns its parts. */
export function parseCidr(value: string, name: string): { ip: string; prefix: number } {
  const [ip = '', prefixRaw = ''] = value.split('/');
  const prefix = Number(prefixRaw);
  if (!IPV4.test(ip) || prefixRaw === '' || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    throw new InvalidArgument(`invalid ${name} "${value}": expected an IPv4 CIDR such as 10.88.0.1/16`);
  }
  return { ip, prefix };
}

/** `base=172.30.0.0/16,size=24`, the flag's syntax (dockerd's --default-address-pool). */
export function parseAddressPool(value: string): AddressPool {
  const fields = Object.fromEntries(value.split(',').map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
  const base = fields.base ?? '';
  const size = Number(fields.size);
  const { prefix } = parseCidr(base, 'default-address-pool base');
  if (!Number.isInteger(size) || size < prefix || size > 32) {
    throw new InvalidArgument(`invalid default-address-pool "${value}": size must be a prefix length between ${prefix} and 32`);
  }
  return { base, size };
}
