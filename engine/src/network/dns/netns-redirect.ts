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
 * CVE-2020-8558). Declaring our chains flushes them, so running it again retargets; `jumps` only on a new namespace.
 */
export function redirectScript(r: ResolverRedirect, opts: { jumps: boolean }): string {
  const to = `${r.target.ip}:${r.target.port}`;
  const nat = [
    `:${CHAINS.output} - [0:0]`,
    `:${CHAINS.postrouting} - [0:0]`,
    ...(opts.jumps ? [`-A OUTPUT -d ${EMBEDDED_RESOLVER_IP}/32 -j ${CHAINS.output}`, `-A POSTROUTING -j ${CHAINS.postrouting}`] : []),
    ...['udp', 'tcp'].map((p) => `-A ${CHAINS.output} -d ${EMBEDDED_RESOLVER_IP}/32 -p ${p} -m ${p} --dport 53 -j DNAT --to-destination ${to}`),
    ...['udp', 'tcp'].map(
      (p) => `-A ${CHAINS.postrouting} -s 127.0.0.0/8 -d ${r.target.ip}/32 -p ${p} -m ${p} --dport ${r.target.port} -j SNAT --to-source ${r.source}`,
    ),
  ];
  const filter = [
    `:${CHAINS.input} - [0:0]`,
    ...(opts.jumps ? [`-A INPUT -d 127.0.0.0/8 ! -i lo -j ${CHAINS.input}`] : []),
    `-A ${CHAINS.input} -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP`,
  ];
  return `*nat\n${nat.join('\n')}\nCOMMIT\n*filter\n${filter.join('\n')}\nCOMMIT\n`;
}

/**
 * Installs the redirect inside the namespace at `netnsPath`: one spawn (nsenter, then a shell that sets
 * route_localnet, which only a process inside the namespace can, and becomes iptables-restore).
 */
export async function installRedirect(netnsPath: string, r: ResolverRedirect, opts: { jumps: boolean }): Promise<void> {
  await mustExec(
    'nsenter',
    [`--net=${netnsPath}`, '--', 'sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && exec iptables-restore --noflush --wait'],
    redirectScript(r, opts),
  );
}
