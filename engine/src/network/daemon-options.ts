import type { AddressPool } from './ipam.js';
import type { NetworkServiceOptions } from './service.js';

/** The daemon's settings that shape networking: flags plus dockerd's daemon.json keys (kept in `extra`). */
export interface DaemonNetworkSettings {
  dataRoot: string;
  engineId: string;
  bridgeName: string;
  bip: string | undefined;
  defaultAddressPools: AddressPool[];
  hostGatewayIp?: string | undefined;
  extra: Record<string, unknown>;
}

function flag(extra: Record<string, unknown>, key: string, dflt: boolean): boolean {
  const v = extra[key];
  return typeof v === 'boolean' ? v : dflt;
}

/** Maps dockerd's directives (`mtu`, `icc`, `ip-masq`, `iptables`, `ip-forward`, `fixed-cidr`) to the service's options. */
export function networkOptionsFromDaemon(s: DaemonNetworkSettings): Omit<NetworkServiceOptions, 'events' | 'log'> {
  const mtu = typeof s.extra.mtu === 'number' && s.extra.mtu > 0 ? s.extra.mtu : 1500;
  return {
    dataRoot: s.dataRoot,
    engineTag: s.engineId.replace(/-/g, '').slice(0, 12),
    defaultBridge: {
      bridgeName: s.bridgeName,
      bip: s.bip,
      fixedCidr: typeof s.extra['fixed-cidr'] === 'string' ? s.extra['fixed-cidr'] : undefined,
      mtu,
      icc: flag(s.extra, 'icc', true),
      ipMasq: flag(s.extra, 'ip-masq', true),
      pools: s.defaultAddressPools,
    },
    pools: s.defaultAddressPools,
    ...(s.hostGatewayIp ? { hostGatewayIp: s.hostGatewayIp } : {}),
    iptables: flag(s.extra, 'iptables', true),
    ipForward: flag(s.extra, 'ip-forward', true),
  };
}
