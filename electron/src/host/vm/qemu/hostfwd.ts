/** One QEMU user-mode (slirp) host forward: host address:port → the same port in the VM. */
export interface HostForward {
  proto: 'tcp' | 'udp';
  /** '0.0.0.0' for every address of the user's machine. */
  hostIp: string;
  hostPort: number;
}

/** The netdev every rule belongs to (command-line.ts: `-netdev user,id=net0`). */
const NETDEV = 'net0';

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.');
}

/**
 * HMP `hostfwd_add`. A wildcard rule targets the VM's own address (slirp's default guest), where berthd's DNAT
 * takes every local destination. A loopback rule targets the same loopback address inside the VM: berthd DNATs a
 * port published on 127.0.0.1 only for that destination, and the VM answers ARP for it on eth0 because berth-init
 * sets route_localnet there. So `-p 127.0.0.1:N:M` stays loopback-only on both sides.
 */
export function hostfwdAdd(f: HostForward): string {
  const guest = isLoopback(f.hostIp) ? f.hostIp : '';
  return `hostfwd_add ${NETDEV} ${f.proto}:${f.hostIp}:${f.hostPort}-${guest}:${f.hostPort}`;
}

export function hostfwdRemove(f: HostForward): string {
  return `hostfwd_remove ${NETDEV} ${f.proto}:${f.hostIp}:${f.hostPort}`;
}

/**
 * The listening host forwards in HMP `info usernet` output (QEMU 7–9 layout):
 *
 *     UDP[HOST_FORWARD]  34       127.0.0.1 15353       127.0.0.1 15353     0     0
 *     TCP[HOST_FORWARD]  17               * 17000       10.0.2.15 17000     0     0
 *
 * `*` is the wildcard address. Connections (ESTABLISHED, TIME_WAIT, …) are not rules and are left out.
 */
export function parseHostForwards(infoUsernet: string): HostForward[] {
  const out: HostForward[] = [];
  for (const m of infoUsernet.matchAll(/^\s*(TCP|UDP)\[HOST_FORWARD\]\s+\d+\s+(\S+)\s+(\d+)\s/gm)) {
    const [, proto = '', addr = '', port = ''] = m;
    out.push({ proto: proto === 'UDP' ? 'udp' : 'tcp', hostIp: addr === '*' ? '0.0.0.0' : addr, hostPort: Number(port) });
  }
  return out;
}

/** Runs one HMP command line (over QMP). */
export type Hmp = (line: string) => Promise<string>;

/**
 * Adds or removes one forward. An earlier host process may have left the same rule: it is removed first, so adding
 * is idempotent. A host port taken by another program fails with QEMU's message (UDP too, even when that program
 * set SO_REUSEADDR: checked with QEMU 7.2).
 */
export async function applyHostForward(hmp: Hmp, op: 'add' | 'remove', f: HostForward): Promise<void> {
  await hmp(hostfwdRemove(f)).catch(() => undefined);
  if (op === 'remove') return;
  const out = await hmp(hostfwdAdd(f));
  if (out.trim()) throw new Error(`${out.trim()} (EADDRINUSE: the port is taken on the host)`);
}

/** The published-port rules QEMU holds now, the SSH rule (TCP `sshPort`) left out. */
export async function listHostForwards(hmp: Hmp, sshPort: number | undefined): Promise<HostForward[]> {
  return parseHostForwards(await hmp('info usernet')).filter((f) => !(f.proto === 'tcp' && f.hostPort === sshPort));
}
