import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { SystemError, errorMessage } from '../base/errors.js';
import { execTool, mustExec } from './exec.js';

/**
 * The kernel side of bridge networking, through iproute2: bridges on the host, veth pairs whose peer lives in a
 * container's network namespace (given as a path, e.g. `/run/netns/x` or `/proc/<pid>/ns/net`).
 */

export async function linkExists(name: string): Promise<boolean> {
  const r = await execTool('ip', ['-o', 'link', 'show', 'dev', name]);
  return r.code === 0;
}

async function writeSysctl(key: string, value: string): Promise<void> {
  await fs.writeFile(`/proc/sys/${key.replace(/\./g, '/')}`, value);
}

export interface BridgeSpec {
  name: string;
  /** The gateway address with the subnet's prefix, e.g. `10.213.4.1/24`; absent for a network without IPv4. */
  gatewayCidr?: string;
  mtu: number;
}

/**
 * Creates the bridge if missing and brings it to the wanted state; safe to run again after a restart.
 * route_localnet lets DNAT'ed loopback traffic (`curl 127.0.0.1:8080`) leave through the bridge.
 */
export async function ensureBridge(spec: BridgeSpec): Promise<void> {
  // One `ip` process for it all (at each start, for the default bridge: under emulation in the VM each spawn is a
  // fork of berthd and an exec). `-force` carries the batch on past its first line when the bridge is already there
  // ("File exists", after a restart); any other failure fails the set-up.
  const batch = [`link add name ${spec.name} type bridge`, `link set dev ${spec.name} mtu ${spec.mtu}`];
  if (spec.gatewayCidr) batch.push(`address replace ${spec.gatewayCidr} dev ${spec.name}`);
  batch.push(`link set dev ${spec.name} up`);
  const r = await execTool('ip', ['-force', '-batch', '-'], `${batch.join('\n')}\n`);
  if (r.code !== 0 && !onlyExisted(r.stderr)) {
    throw new SystemError(`ip -batch (bridge ${spec.name}): ${r.stderr.trim() || `exit status ${r.code}`}`);
  }
  await writeSysctl(`net.ipv4.conf.${spec.name}.route_localnet`, '1');
}

/**
 * True when what an `ip -force -batch` printed is only its first line (the `link add`) failing with "File exists":
 * any other line (another command failed, or one ip could not parse) is a failure.
 */
export function onlyExisted(stderr: string): boolean {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.some((l) => /File exists/.test(l)) && lines.every((l) => /File exists/.test(l) || /^Command failed \S*:1$/.test(l));
}

export async function deleteLink(name: string): Promise<void> {
  const r = await execTool('ip', ['link', 'del', 'dev', name]);
  if (r.code !== 0 && !/Cannot find device|does not exist/.test(r.stderr)) {
    await mustExec('ip', ['link', 'del', 'dev', name]);
  }
}

/** Packet forwarding must be on for egress and for published ports reached from outside (dockerd's ip-forward). */
export async function enableIpForward(): Promise<void> {
  const current = (await fs.readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
  if (current !== '1') await writeSysctl('net.ipv4.ip_forward', '1');
}

export interface VethSpec {
  bridge: string;
  netnsPath: string;
  /** The name inside the namespace (eth0, eth1, …). */
  ifname: string;
  ipCidr?: string;
  macAddress: string;
  mtu: number;
  /** Gateway for the default route, when this network provides the container's egress (the caller decides once). */
  defaultGateway?: string;
  /** `ip netns` name of the namespace to make first, in the same batch (reused if it exists after a restart). */
  createNetns?: string;
  /** More set-up inside the namespace, run beside its interface configuration (the namespace exists by then). */
  alongside?: () => Promise<void>;
}

/** `veth` + 7 hex characters, as dockerd names the host side. */
export function hostVethName(): string {
  return `veth${randomBytes(4).toString('hex').slice(0, 7)}`;
}

/** The `ip netns` name of a namespace path under /run/netns, or undefined for any other path. */
function namedNetns(netnsPath: string): string | undefined {
  return /^\/run\/netns\/([^/]+)$/.exec(netnsPath)?.[1];
}

/**
 * Runs `ip` inside a namespace: `ip -n` for a named one (one exec), nsenter for any other path (/proc/<pid>/ns/net).
 */
function ipIn(netnsPath: string, args: string[], input?: string): Promise<string> {
  const named = namedNetns(netnsPath);
  if (named) return mustExec('ip', ['-n', named, ...args], input);
  return mustExec('nsenter', [`--net=${netnsPath}`, '--', 'ip', ...args], input);
}

/**
 * Creates a veth pair with one end on the bridge and the other, already named, inside the namespace; the host
 * side is set to hairpin so a container can reach its own published port through the host. Two spawns: one
 * `ip -batch` on the host side, one inside the namespace.
 */
export async function plugVeth(spec: VethSpec): Promise<string> {
  const hostIf = hostVethName();
  const host = [
    `link add name ${hostIf} mtu ${spec.mtu} type veth peer name ${spec.ifname} mtu ${spec.mtu} address ${spec.macAddress} netns ${spec.netnsPath}`,
    `link set dev ${hostIf} master ${spec.bridge}`,
    `link set dev ${hostIf} type bridge_slave hairpin on`,
    `link set dev ${hostIf} up`,
  ];
  try {
    if (spec.createNetns) {
      const r = await execTool('ip', ['-batch', '-'], `netns add ${spec.createNetns}\n${host.join('\n')}\n`);
      // Only the namespace's own line failed because it exists (a restart): the rest, once more without it.
      if (r.code !== 0 && /File exists/.test(r.stderr) && /Command failed -:1$/m.test(r.stderr)) {
        await mustExec('ip', ['-batch', '-'], `${host.join('\n')}\n`);
      } else if (r.code !== 0) {
        throw new SystemError(`ip -batch -: ${(r.stderr || r.stdout).trim() || `exit status ${r.code}`}`);
      }
    } else {
      await mustExec('ip', ['-batch', '-'], `${host.join('\n')}\n`);
    }
    const inside = ['link set dev lo up'];
    if (spec.ipCidr) inside.push(`address add ${spec.ipCidr} dev ${spec.ifname}`);
    inside.push(`link set dev ${spec.ifname} up`);
    if (spec.defaultGateway) inside.push(`route add default via ${spec.defaultGateway} dev ${spec.ifname}`);
    await Promise.all([ipIn(spec.netnsPath, ['-batch', '-'], `${inside.join('\n')}\n`), spec.alongside?.()]);
  } catch (err) {
    // A failed first line (`link add`, or `netns add` before it) created nothing: a link of that name, if any, is
    // not ours to delete.
    const firstLine = spec.createNetns ? /Command failed -:[12]$/m : /Command failed -:1$/m;
    if (!firstLine.test(errorMessage(err))) await deleteLink(hostIf).catch(() => undefined);
    throw err;
  }
  return hostIf;
}

/** Removes the container's end; the kernel removes the host end with it. A namespace already gone is fine. */
export async function unplugVeth(netnsPath: string, ifname: string, hostIf: string): Promise<void> {
  const named = namedNetns(netnsPath);
  const r = named
    ? await execTool('ip', ['-n', named, 'link', 'del', 'dev', ifname])
    : await execTool('nsenter', [`--net=${netnsPath}`, '--', 'ip', 'link', 'del', 'dev', ifname]);
  if (r.code !== 0) await deleteLink(hostIf);
}
