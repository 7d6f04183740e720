import dgram from 'node:dgram';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { InvalidArgument, SystemError } from '../base/errors.js';
import { atomicWriteJson, readJsonIfExists } from '../base/fsutil.js';
import type { Logger } from '../base/log.js';
import { forgetUdpFlows } from './conntrack.js';
import type { Firewall } from './firewall.js';
import { parseIp4 } from './ipv4.js';

export type Proto = 'tcp' | 'udp' | 'sctp';

/** One `-p [hostIp:]hostPort[-end]:containerPort/proto` entry, with the container's address on its network. */
export interface PortRequest {
  /** Empty or `0.0.0.0`: every address of the host. */
  hostIp?: string;
  /** 0 picks an ephemeral port. */
  hostPort: number;
  /** With hostPort, a range to pick one free port from (`-p 8000-8010:80`). */
  hostPortEnd?: number;
  containerIp: string;
  containerPort: number;
  proto: Proto;
  /** The bridge the container's endpoint is on. */
  bridge: string;
}

export interface PortMapping {
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  proto: Proto;
  bridge: string;
}

type Reservation = net.Server | dgram.Socket | undefined;

/**
 * Published ports. The host port is reserved by binding a socket in the daemon (so a host process cannot take it,
 * and a port taken by one fails with the OS's error), while traffic goes through kernel DNAT rather than a
 * userland proxy: loopback clients are DNAT'ed in nat OUTPUT and leave through the bridge thanks to
 * route_localnet plus masquerade. That keeps host→container throughput at kernel speed.
 */
export class PortMapper {
  private readonly byOwner = new Map<string, { mappings: PortMapping[]; reservations: Reservation[] }>();
  private readonly dir: string;

  constructor(private readonly opts: { dataRoot: string; firewall: Firewall; log: Logger }) {
    this.dir = path.join(opts.dataRoot, 'network', 'ports');
  }

  /** Re-reserves and re-installs what was published before a restart (the firewall was wiped by init). */
  async restore(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const file of await fs.readdir(this.dir)) {
      if (!file.endsWith('.json')) continue;
      const owner = file.slice(0, -5);
      const mappings = (await readJsonIfExists<PortMapping[]>(path.join(this.dir, file))) ?? [];
      const reservations: Reservation[] = [];
      for (const m of mappings) {
        reservations.push(await reserve(m.proto, m.hostIp, m.hostPort).catch((err: Error) => {
          this.opts.log.warn({ owner, port: m.hostPort, err: err.message }, 'could not re-reserve a published port');
          return undefined;
        }));
      }
      this.byOwner.set(owner, { mappings, reservations });
      await this.opts.firewall.addPorts(owner, mappings);
    }
  }

  /** Every owner (container ID) with published ports. */
  owners(): string[] {
    return [...this.byOwner.keys()];
  }

  /** The published ports of one owner (a container), in the order they were requested. */
  mappings(owner: string): PortMapping[] {
    return [...(this.byOwner.get(owner)?.mappings ?? [])];
  }

  /** Publishes all of an owner's ports, or none: on any failure what was reserved is released again. */
  async map(owner: string, requests: PortRequest[]): Promise<PortMapping[]> {
    const entry = this.byOwner.get(owner) ?? { mappings: [], reservations: [] };
    const added: PortMapping[] = [];
    const reservations: Reservation[] = [];
    try {
      for (const req of requests) {
        const [m, r] = await this.reserveOne(req, [...entry.mappings, ...added]);
        added.push(m);
        reservations.push(r);
      }
      await this.opts.firewall.addPorts(owner, added);
      const udp = added.filter((m) => m.proto === 'udp').map((m) => m.hostPort);
      if (udp.length > 0 && this.opts.firewall.active) await forgetUdpFlows(udp, this.opts.log);
    } catch (err) {
      reservations.forEach(close);
      throw err;
    }
    entry.mappings.push(...added);
    entry.reservations.push(...reservations);
    this.byOwner.set(owner, entry);
    await atomicWriteJson(path.join(this.dir, `${owner}.json`), entry.mappings, 0o600);
    return added;
  }

  async unmap(owner: string): Promise<void> {
    const entry = this.byOwner.get(owner);
    if (!entry) return;
    await this.opts.firewall.removePorts(owner);
    entry?.reservations.forEach(close);
    this.byOwner.delete(owner);
    await fs.rm(path.join(this.dir, `${owner}.json`), { force: true });
  }

  /** Closes reservation sockets (daemon shutdown); the rules stay until the next start wipes them. */
  close(): void {
    for (const e of this.byOwner.values()) e.reservations.forEach(close);
  }

  private allocatedBy(proto: Proto, hostIp: string, hostPort: number, extra: PortMapping[]): boolean {
    const all = [...[...this.byOwner.values()].flatMap((e) => e.mappings), ...extra];
    return all.some(
      (m) => m.proto === proto && m.hostPort === hostPort && (m.hostIp === hostIp || m.hostIp === '0.0.0.0' || hostIp === '0.0.0.0'),
    );
  }

  private async reserveOne(req: PortRequest, pending: PortMapping[]): Promise<[PortMapping, Reservation]> {
    const hostIp = req.hostIp && req.hostIp !== '' ? req.hostIp : '0.0.0.0';
    if (parseIp4(hostIp) === undefined) throw new InvalidArgument(`invalid host IP ${hostIp}: berthd publishes IPv4 addresses only`);
    const base = { hostIp, containerIp: req.containerIp, containerPort: req.containerPort, proto: req.proto, bridge: req.bridge };
    const candidates = req.hostPort === 0 ? [0] : range(req.hostPort, req.hostPortEnd ?? req.hostPort);
    let lastErr: Error | undefined;
    for (const port of candidates) {
      if (port !== 0 && this.allocatedBy(req.proto, hostIp, port, pending)) {
        lastErr = new SystemError(`Bind for ${hostIp}:${port} failed: port is already allocated`);
        continue;
      }
      try {
        const reservation = await reserve(req.proto, hostIp, port);
        const chosen = port === 0 ? boundPort(reservation) : port;
        return [{ ...base, hostPort: chosen }, reservation];
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        lastErr =
          code === 'EADDRINUSE'
            ? new SystemError(`failed to bind host port for ${hostIp}:${port}:${req.containerIp}:${req.containerPort}/${req.proto}: address already in use`)
            : new SystemError(`failed to bind host port for ${hostIp}:${port}:${req.containerIp}:${req.containerPort}/${req.proto}: ${(err as Error).message}`);
      }
    }
    throw lastErr ?? new SystemError('no host port to publish on');
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let p = from; p <= Math.max(from, to); p++) out.push(p);
  return out;
}

function boundPort(r: Reservation): number {
  if (r instanceof net.Server) return (r.address() as net.AddressInfo).port;
  if (r) return r.address().port;
  return 0;
}

function close(r: Reservation): void {
  try {
    r?.close();
  } catch {
    // already closed
  }
}

/** Holds the host port: a listening TCP socket (never reached: DNAT redirects first) or a bound UDP socket. */
function reserve(proto: Proto, hostIp: string, port: number): Promise<Reservation> {
  if (proto === 'sctp') return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    if (proto === 'tcp') {
      const server = net.createServer((socket) => socket.destroy());
      server.once('error', reject);
      server.listen({ host: hostIp, port, exclusive: true }, () => {
        server.unref();
        resolve(server);
      });
      return;
    }
    const sock = dgram.createSocket({ type: 'udp4' });
    sock.once('error', reject);
    sock.bind({ address: hostIp, port, exclusive: true }, () => {
      sock.unref();
      resolve(sock);
    });
  });
}

/** `NetworkSettings.Ports` as dockerd shows it: every exposed port, null when not published. */
export function portMapView(exposed: string[], mappings: PortMapping[]): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of exposed) out[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const m of mappings) {
    const key = `${m.containerPort}/${m.proto}`;
    const list = out[key] ?? [];
    list.push({ HostIp: m.hostIp, HostPort: String(m.hostPort) });
    out[key] = list;
  }
  return out;
}
