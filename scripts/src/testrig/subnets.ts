import { randomBytes, randomInt } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Each berthd the rig starts gets its own bridge and /24, so daemons started side by side (and a dockerd on
 * docker0) never share one. The pool is 10.213.0.0/16: far from Docker's 172.17/16 and the usual 10.0/10.1/10.10
 * LAN ranges; a /24 already routed on this host is skipped.
 */
const POOL_SECOND_OCTET = 213;
const handedOut = new Set<number>();

export interface BridgeAllocation {
  /** `bt` + 8 hex chars: fits IFNAMSIZ and never clashes with `docker0`/`berth0`. */
  bridgeName: string;
  /** The bridge's address and prefix, as `--bip` takes it, e.g. `10.213.42.1/24`. */
  bip: string;
  subnet: string;
}

export function allocateBridge(): BridgeAllocation {
  const used = routedThirdOctets();
  for (let tries = 0; tries < 256; tries++) {
    const third = randomInt(1, 255);
    if (used.has(third) || handedOut.has(third)) continue;
    handedOut.add(third);
    const net = `10.${POOL_SECOND_OCTET}.${third}`;
    return { bridgeName: `bt${randomBytes(4).toString('hex')}`, bip: `${net}.1/24`, subnet: `${net}.0/24` };
  }
  throw new Error(`no free /24 left in 10.${POOL_SECOND_OCTET}.0.0/16`);
}

export function releaseBridge(alloc: BridgeAllocation): void {
  handedOut.delete(Number(alloc.subnet.split('.')[2]));
}

/** Third octets of routes on this host that overlap 10.213.0.0/16 (from /proc/net/route, little-endian hex). */
function routedThirdOctets(): Set<number> {
  const out = new Set<number>();
  let text: string;
  try {
    text = readFileSync('/proc/net/route', 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n').slice(1)) {
    const [, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (!dest || !mask) continue;
    const d = Buffer.from(dest, 'hex').reverse().readUInt32BE(0);
    const m = Buffer.from(mask, 'hex').reverse().readUInt32BE(0);
    if (m === 0) continue; // the default route covers everything and says nothing about local subnets
    for (let third = 1; third < 255; third++) {
      const candidate = ((10 << 24) | (POOL_SECOND_OCTET << 16) | (third << 8)) >>> 0;
      // Overlap if either network contains the other's base address.
      if (((candidate & m) >>> 0) === ((d & m) >>> 0) || ((d & 0xffffff00) >>> 0) === candidate) out.add(third);
    }
  }
  return out;
}

/**
 * Creates the allocated bridge with its address, up (for a daemon such as dockerd that takes an existing bridge
 * rather than making its own). Throws with what `ip` said; nothing is left behind on failure.
 */
export function createBridge(alloc: BridgeAllocation = allocateBridge()): BridgeAllocation {
  try {
    ip(['link', 'add', 'name', alloc.bridgeName, 'type', 'bridge']);
    ip(['addr', 'add', alloc.bip, 'dev', alloc.bridgeName]);
    ip(['link', 'set', alloc.bridgeName, 'up']);
    return alloc;
  } catch (err) {
    deleteBridge(alloc);
    throw new Error(`could not create bridge ${alloc.bridgeName} (${alloc.bip}): ${(err as Error).message}`, { cause: err });
  }
}

/** Deletes a bridge made by createBridge (gone already is fine) and hands its /24 back. */
export function deleteBridge(alloc: BridgeAllocation): void {
  try {
    ip(['link', 'del', alloc.bridgeName]);
  } catch {
    // Never created, or already gone.
  }
  releaseBridge(alloc);
}

function ip(args: string[]): void {
  const res = spawnSync('ip', args, { encoding: 'utf8' });
  if (res.error) throw res.error;
  if (res.status !== 0) throw new Error(`ip ${args.join(' ')}: ${res.stderr.trim()}`);
}
