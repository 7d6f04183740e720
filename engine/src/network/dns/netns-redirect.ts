import { mustExec } from '../exec.js';

/** The nameserver containers on user-defined networks see, as with dockerd. */
export const EMBEDDED_RESOLVER_IP = '127.0.0.11';

/** Where a container's 127.0.0.11:53 goes: the resolver berthd runs for one of its networks. */
export interface ResolverRedirect {
  /** The network's gateway and the resolver's port there. */
  target: { ip: string; port: number };
  /** The container's address on that network: the source the resolver sees, and checks. */
  source: string;
}

const CHAINS = { output: 'BERTH_DNS_OUTPUT', postrouting: 'BERTH_DNS_POSTROUTING', input: 'BERTH_DNS_INPUT' } as const;

/**
 * The iptables-restore script (`--noflush`) for a container's own namespace. nat OUTPUT sends 127.0.0.11:53 to the
 * resolver on the gateway and POSTROUTING gives it the container's address as source (a loopback source may not
 * leave an interface otherwise; route_localnet, set beside this, lets the rerouted packet and its reply through).
 * route_localnet alone would also let a neighbour on the bridge reach the container's loopback services, so packets
 * for 127.0.0.0/8 that come in on any other interface are dropped unless they are replies (what Kubernetes did for
 * CVE-2020-8558). Declaring our chains flushes them, so running it again retargets; `jumps` only on a new namespace
 * (`redirectShell` adds missing ones on a retarget).
 */
export function redirectScript(r: ResolverRedirect, opts: { jumps: boolean }): string {
  const to = `${r.target.ip}:${r.target.port}`;
  const nat = [
    `:${CHAINS.output} - [0:0]`,
    `:${CHAINS.postrouting} - [0:0]`,
    ...(opts.jumps ? jumpRules().filter((j) => j.table === 'nat').map((j) => `-A ${j.rule}`) : []),
    ...['udp', 'tcp'].map((p) => `-A ${CHAINS.output} -d ${EMBEDDED_RESOLVER_IP}/32 -p ${p} -m ${p} --dport 53 -j DNAT --to-destination ${to}`),
    ...['udp', 'tcp'].map(
      (p) => `-A ${CHAINS.postrouting} -s 127.0.0.0/8 -d ${r.target.ip}/32 -p ${p} -m ${p} --dport ${r.target.port} -j SNAT --to-source ${r.source}`,
    ),
  ];
  const filter = [
    `:${CHAINS.input} - [0:0]`,
    ...(opts.jumps ? jumpRules().filter((j) => j.table === 'filter').map((j) => `-A ${j.rule}`) : []),
    `-A ${CHAINS.input} -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP`,
  ];
  return `*nat\n${nat.join('\n')}\nCOMMIT\n*filter\n${filter.join('\n')}\nCOMMIT\n`;
}

/** The jumps into our chains, as `iptables` arguments after the table (`-t nat`, `-t filter`) and the verb. */
function jumpRules(): Array<{ table: 'nat' | 'filter'; rule: string }> {
  return [
    { table: 'nat', rule: `OUTPUT -d ${EMBEDDED_RESOLVER_IP}/32 -j ${CHAINS.output}` },
    { table: 'nat', rule: `POSTROUTING -j ${CHAINS.postrouting}` },
    { table: 'filter', rule: `INPUT -d 127.0.0.0/8 ! -i lo -j ${CHAINS.input}` },
  ];
}

/**
 * The shell run inside the namespace: route_localnet (only a process inside the namespace can set it), then
 * iptables-restore. A new namespace gets the jumps in the script itself (one process). A retarget adds each jump
 * only when it is missing: the namespace may never have had a resolver (it started on the default bridge, or lost
 * its only user network before `network connect`), and a second copy of a jump must not pile up.
 */
export function redirectShell(opts: { jumps: boolean }): string {
  const localnet = 'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet';
  if (opts.jumps) return `${localnet} && exec iptables-restore --noflush --wait`;
  const ensure = jumpRules().map(({ table, rule }) => `{ iptables -w -t ${table} -C ${rule} 2>/dev/null || iptables -w -t ${table} -A ${rule}; }`);
  return [`${localnet}`, 'iptables-restore --noflush --wait', ...ensure].join(' && ');
}

/** Installs the redirect inside the namespace at `netnsPath`: one nsenter running `redirectShell`. */
export async function installRedirect(netnsPath: string, r: ResolverRedirect, opts: { jumps: boolean }): Promise<void> {
  await mustExec('nsenter', [`--net=${netnsPath}`, '--', 'sh', '-c', redirectShell(opts)], redirectScript(r, opts));
}
