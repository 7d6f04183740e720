import { readFileSync } from 'node:fs';
import { Forbidden, InvalidArgument, SystemError } from '../base/errors.js';
import {
  contains, formatCidr4, formatIp4, lastAddress, maskOf, overlaps, parseCidr4, parseIp4, size, type Cidr4, type Ip4,
} from './ipv4.js';
import type { IpamConfigRecord, NetworkRecord } from './types.js';

export interface AddressPool {
  base: string;
  size: number;
}

/** IPv4 routes of this host other than the default route, so an automatic subnet never shadows a real one. */
export function hostRoutes(routeFile = '/proc/net/route'): Cidr4[] {
  return hostRoutesByInterface(routeFile).map((r) => r.cidr);
}

/** The host's routes (default route aside) with the interface each goes through. */
export function hostRoutesByInterface(routeFile = '/proc/net/route'): Array<{ cidr: Cidr4; iface: string }> {
  let text: string;
  try {
    text = readFileSync(routeFile, 'utf8');
  } catch {
    return [];
  }
  const out: Array<{ cidr: Cidr4; iface: string }> = [];
  for (const line of text.split('\n').slice(1)) {
    const [iface, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (!iface || !dest || !mask) continue;
    const d = Buffer.from(dest, 'hex').reverse().readUInt32BE(0);
    const m = Buffer.from(mask, 'hex').reverse().readUInt32BE(0);
    if (m === 0) continue;
    const prefix = m.toString(2).replace(/0/g, '').length;
    out.push({ cidr: { base: (d & maskOf(prefix)) >>> 0, prefix }, iface });
  }
  return out;
}

/** The first subnet of the pools that overlaps nothing taken (dockerd's default address pools). */
export function chooseSubnet(pools: AddressPool[], taken: Cidr4[]): Cidr4 {
  for (const pool of pools) {
    const base = parseCidr4(pool.base, 'default address pool');
    const step = 2 ** (32 - pool.size);
    for (let addr = base.base; contains(base, addr) && addr <= lastAddress(base); addr += step) {
      const candidate = { base: addr >>> 0, prefix: pool.size };
      if (!taken.some((t) => overlaps(t, candidate))) return candidate;
      if (addr + step > 0xffffffff) break;
    }
  }
  throw new Forbidden('all predefined address pools have been fully subnetted');
}

/** Validates and completes one IPAM config entry: the gateway defaults to the subnet's first address. */
export function normalizeIpamConfig(c: IpamConfigRecord): IpamConfigRecord {
  if (!c.Subnet) throw new InvalidArgument('invalid IPAM config: a subnet is required when an ip-range or gateway is given');
  if (c.Subnet.includes(':')) throw new InvalidArgument('IPv6 subnets are not supported by berthd');
  const subnet = parseCidr4(c.Subnet);
  const given = c.Subnet.split('/')[0];
  if (parseIp4(given ?? '') !== subnet.base) {
    throw new InvalidArgument(`invalid subnet ${c.Subnet}: it should be ${formatCidr4(subnet)}`);
  }
  if (subnet.prefix > 30) throw new InvalidArgument(`invalid subnet ${c.Subnet}: the prefix must be at most /30`);
  const out: IpamConfigRecord = { Subnet: formatCidr4(subnet) };
  if (c.IPRange) {
    const range = parseCidr4(c.IPRange, 'ip-range');
    if (!contains(subnet, range.base) || range.prefix < subnet.prefix) {
      throw new InvalidArgument(`invalid ip-range ${c.IPRange}: it must be within subnet ${out.Subnet}`);
    }
    out.IPRange = formatCidr4(range);
  }
  if (c.Gateway) {
    const gw = parseIp4(c.Gateway.split('/')[0] ?? '');
    if (gw === undefined) throw new InvalidArgument(`invalid gateway address ${c.Gateway}`);
    if (!contains(subnet, gw)) throw new InvalidArgument(`invalid gateway address ${c.Gateway}: it is not in subnet ${out.Subnet}`);
    out.Gateway = formatIp4(gw);
  } else {
    out.Gateway = formatIp4(subnet.base + 1);
  }
  if (c.AuxiliaryAddresses && Object.keys(c.AuxiliaryAddresses).length > 0) {
    for (const [name, ip] of Object.entries(c.AuxiliaryAddresses)) {
      const a = parseIp4(ip);
      if (a === undefined || !contains(subnet, a)) throw new InvalidArgument(`invalid auxiliary address ${name}=${ip}: it is not in subnet ${out.Subnet}`);
    }
    out.AuxiliaryAddresses = { ...c.AuxiliaryAddresses };
  }
  return out;
}

/** Addresses of a network that are not free: gateway, auxiliary addresses and every endpoint's address. */
function usedAddresses(net: NetworkRecord): Set<Ip4> {
  const used = new Set<Ip4>();
  for (const c of net.ipam.config) {
    if (c.Gateway) used.add(parseIp4(c.Gateway) as Ip4);
    for (const ip of Object.values(c.AuxiliaryAddresses ?? {})) used.add(parseIp4(ip) as Ip4);
  }
  for (const ep of Object.values(net.endpoints)) if (ep.ipv4) used.add(parseIp4(ep.ipv4) as Ip4);
  return used;
}

export interface Allocation {
  ip: string;
  prefix: number;
  gateway: string;
}

/**
 * Picks the endpoint address: the requested one if it is free and in the subnet, else the next free address
 * after the last one handed out (round-robin, as dockerd does, so a just-released address is not reused at once).
 */
export function allocateAddress(net: NetworkRecord, requested?: string): Allocation {
  const cfg = net.ipam.config[0];
  if (!cfg) throw new Forbidden(`network ${net.name} has no IPv4 subnet`);
  const subnet = parseCidr4(cfg.Subnet);
  const gateway = cfg.Gateway ?? formatIp4(subnet.base + 1);
  const used = usedAddresses(net);
  const network = subnet.base;
  const broadcast = lastAddress(subnet);
  if (requested) {
    const ip = parseIp4(requested);
    if (ip === undefined) throw new InvalidArgument(`invalid IPv4 address: ${requested}`);
    if (!contains(subnet, ip)) throw new Forbidden(`Invalid Address ${requested}: It does not belong to any of this network's subnets`);
    if (used.has(ip) || ip === network || ip === broadcast) throw new Forbidden('Address already in use');
    return { ip: requested, prefix: subnet.prefix, gateway };
  }
  const range = cfg.IPRange ? parseCidr4(cfg.IPRange) : subnet;
  const first = range.base;
  const count = size(range);
  const last = net.lastAllocated ? parseIp4(net.lastAllocated) : undefined;
  const start = last !== undefined && contains(range, last) ? last - first + 1 : 0;
  for (let i = 0; i < count; i++) {
    const ip = (first + ((start + i) % count)) >>> 0;
    if (ip === network || ip === broadcast || used.has(ip)) continue;
    return { ip: formatIp4(ip), prefix: subnet.prefix, gateway };
  }
  throw new SystemError(`no available IPv4 addresses on this network's address pools: ${net.name} (${net.id})`);
}

/** dockerd's MAC for an address (02:42 + the IPv4 bytes): stable, and unique within a subnet. */
export function macForIp(ip: string): string {
  const n = parseIp4(ip) ?? 0;
  return ['02', '42', ...[24, 16, 8, 0].map((s) => ((n >>> s) & 255).toString(16).padStart(2, '0'))].join(':');
}
