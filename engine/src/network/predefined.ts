import { generateId } from '../base/ids.js';
import { formatRFC3339Nano, nowNanos } from '../base/timestamp.js';
import { BRIDGE_OPTS } from './create-request.js';
import { chooseSubnet, type AddressPool } from './ipam.js';
import { formatCidr4, formatIp4, maskOf, overlaps, parseCidr4, parseIp4WithPrefix, type Cidr4 } from './ipv4.js';
import type { NetworkRecord } from './types.js';

export interface DefaultBridgeConfig {
  bridgeName: string;
  /** `--bip`: the bridge's address with prefix. */
  bip?: string;
  /** `fixed-cidr`: the part of the subnet containers get addresses from. */
  fixedCidr?: string;
  mtu: number;
  icc: boolean;
  ipMasq: boolean;
  pools: AddressPool[];
}

function blank(name: string, driver: NetworkRecord['driver']): NetworkRecord {
  return {
    id: generateId(),
    name,
    created: formatRFC3339Nano(nowNanos()),
    driver,
    internal: false,
    attachable: false,
    enableIPv6: false,
    ipam: { driver: 'default', options: null, config: [] },
    options: {},
    labels: {},
    predefined: true,
    userSubnet: false,
    endpoints: {},
  };
}

/** The default bridge's subnet and gateway: `--bip` when given, else 172.17.0.1/16 or the first free pool. */
export function defaultBridgeAddress(cfg: DefaultBridgeConfig, taken: Cidr4[]): { subnet: string; gateway: string; prefix: number } {
  if (cfg.bip) {
    const parsed = parseIp4WithPrefix(cfg.bip);
    if (parsed) {
      const subnet = { base: (parsed.ip & maskOf(parsed.prefix)) >>> 0, prefix: parsed.prefix };
      return { subnet: formatCidr4(subnet), gateway: formatIp4(parsed.ip), prefix: parsed.prefix };
    }
  }
  const preferred = parseCidr4('172.17.0.0/16');
  const subnet = taken.some((t) => overlaps(t, preferred)) ? chooseSubnet([{ base: '172.16.0.0/12', size: 16 }, ...cfg.pools], taken) : preferred;
  return { subnet: formatCidr4(subnet), gateway: formatIp4(subnet.base + 1), prefix: subnet.prefix };
}

/** Builds (or updates, keeping ID and endpoints) the `bridge` network from the daemon's configuration. */
export function defaultBridge(existing: NetworkRecord | undefined, cfg: DefaultBridgeConfig, taken: Cidr4[]): NetworkRecord {
  const rec = existing ?? blank('bridge', 'bridge');
  const addr = existing && !cfg.bip && existing.ipam.config[0] ? undefined : defaultBridgeAddress(cfg, taken);
  if (addr) {
    rec.ipam.config = [{ Subnet: addr.subnet, Gateway: addr.gateway, ...(cfg.fixedCidr ? { IPRange: cfg.fixedCidr } : {}) }];
  }
  rec.bridge = cfg.bridgeName;
  rec.mtu = cfg.mtu;
  rec.options = {
    [BRIDGE_OPTS.defaultBridge]: 'true',
    [BRIDGE_OPTS.icc]: String(cfg.icc),
    [BRIDGE_OPTS.masquerade]: String(cfg.ipMasq),
    [BRIDGE_OPTS.hostBinding]: '0.0.0.0',
    [BRIDGE_OPTS.name]: cfg.bridgeName,
    [BRIDGE_OPTS.mtu]: String(cfg.mtu),
  };
  return rec;
}

export function hostNetwork(existing?: NetworkRecord): NetworkRecord {
  return existing ?? blank('host', 'host');
}

export function noneNetwork(existing?: NetworkRecord): NetworkRecord {
  return existing ?? blank('none', 'null');
}
