import type { Rule } from './iptables.js';

/**
 * The iptables layout, after dockerd's but in chains of our own so Berth never edits DOCKER* chains:
 *
 *   filter FORWARD     -> BERTH-FORWARD: [BERTH-PORTS, BERTH-ISOLATION-1, then per-network rules]
 *   nat    PREROUTING  -> BERTH-DNAT (for local destinations)     nat OUTPUT -> BERTH-DNAT (same)
 *   nat    POSTROUTING -> BERTH-POSTROUTING (masquerade)
 *
 * BERTH-PORTS comes before isolation so a published port stays reachable from containers of other networks
 * through the host's address (only DNAT'ed connections pass), and replies of established connections get back.
 */
export const CHAINS = {
  forward: 'BERTH-FORWARD',
  ports: 'BERTH-PORTS',
  isolation1: 'BERTH-ISOLATION-1',
  isolation2: 'BERTH-ISOLATION-2',
  dnat: 'BERTH-DNAT',
  postrouting: 'BERTH-POSTROUTING',
} as const;

export const ALL_CHAINS: Array<{ table: 'filter' | 'nat'; chain: string }> = [
  { table: 'filter', chain: CHAINS.forward },
  { table: 'filter', chain: CHAINS.ports },
  { table: 'filter', chain: CHAINS.isolation1 },
  { table: 'filter', chain: CHAINS.isolation2 },
  { table: 'nat', chain: CHAINS.dnat },
  { table: 'nat', chain: CHAINS.postrouting },
];

/**
 * Chains older berthd versions made and this one no longer uses, with the shared jumps into them: start-up removes
 * them. BERTH-INPUT held DROP rules for DNS to a gateway from other bridges (the resolver now checks its client
 * itself); one left by a dead engine broke DNS for every later network that got the same subnet.
 */
export const RETIRED_CHAINS: Array<{ table: 'filter' | 'nat'; chain: string; jumpsFrom: string[] }> = [
  { table: 'filter', chain: 'BERTH-INPUT', jumpsFrom: ['INPUT'] },
];

/** Untagged jumps shared by every Berth engine on the host; installed once, at the top of their chains. */
export const BASE_JUMPS: Rule[][] = [
  [{ table: 'filter', chain: 'FORWARD', args: ['-j', CHAINS.forward] }],
  [
    { table: 'filter', chain: CHAINS.forward, args: ['-j', CHAINS.ports] },
    { table: 'filter', chain: CHAINS.forward, args: ['-j', CHAINS.isolation1] },
  ],
  [{ table: 'nat', chain: 'PREROUTING', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', CHAINS.dnat] }],
  [{ table: 'nat', chain: 'OUTPUT', args: ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', CHAINS.dnat] }],
  [{ table: 'nat', chain: 'POSTROUTING', args: ['-j', CHAINS.postrouting] }],
];

export interface BridgeNetworkRules {
  bridge: string;
  subnet: string;
  internal: boolean;
  icc: boolean;
  masquerade: boolean;
}

export function networkRules(n: BridgeNetworkRules): Rule[] {
  const f = (chain: string, ...args: string[]): Rule => ({ table: 'filter', chain, args });
  const nat = (chain: string, ...args: string[]): Rule => ({ table: 'nat', chain, args });
  const rules: Rule[] = [
    f(CHAINS.ports, '-o', n.bridge, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'),
    f(CHAINS.isolation1, '-i', n.bridge, '!', '-o', n.bridge, '-j', CHAINS.isolation2),
    f(CHAINS.isolation2, '-o', n.bridge, '-j', 'DROP'),
    f(CHAINS.forward, '-i', n.bridge, '-o', n.bridge, '-j', n.icc ? 'ACCEPT' : 'DROP'),
    f(CHAINS.forward, '-i', n.bridge, '!', '-o', n.bridge, '-j', n.internal ? 'DROP' : 'ACCEPT'),
    // Nothing else may be routed into the bridge: only published ports (BERTH-PORTS) and replies.
    f(CHAINS.forward, '-o', n.bridge, '-j', 'DROP'),
    // Loopback clients of published ports: route_localnet lets them out, this gives them a routable source.
    nat(CHAINS.postrouting, '-s', '127.0.0.0/8', '-o', n.bridge, '-j', 'MASQUERADE'),
  ];
  if (n.masquerade && !n.internal) rules.push(nat(CHAINS.postrouting, '-s', n.subnet, '!', '-o', n.bridge, '-j', 'MASQUERADE'));
  return rules;
}

export interface PortRuleSpec {
  proto: 'tcp' | 'udp' | 'sctp';
  /** `0.0.0.0` for every address of the host. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  bridge: string;
}

export function portRules(p: PortRuleSpec): Rule[] {
  const dest = p.hostIp === '0.0.0.0' ? [] : ['-d', `${p.hostIp}/32`];
  const proto = ['-p', p.proto, '-m', p.proto];
  return [
    { table: 'nat', chain: CHAINS.dnat, args: [...dest, ...proto, '--dport', String(p.hostPort), '-j', 'DNAT', '--to-destination', `${p.containerIp}:${p.containerPort}`] },
    {
      table: 'filter',
      chain: CHAINS.ports,
      args: ['-d', `${p.containerIp}/32`, '-o', p.bridge, ...proto, '--dport', String(p.containerPort), '-m', 'conntrack', '--ctstate', 'DNAT', '-j', 'ACCEPT'],
    },
    // Hairpin: a container reaching its own published port through the host must see the reply come back NATed.
    {
      table: 'nat',
      chain: CHAINS.postrouting,
      args: ['-s', `${p.containerIp}/32`, '-d', `${p.containerIp}/32`, ...proto, '--dport', String(p.containerPort), '-j', 'MASQUERADE'],
    },
  ];
}
