import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Logger } from '../../base/log.js';
import { forward, type Upstream } from './upstream.js';

/** What the embedded resolver asks the network layer, per query. */
export interface DnsBackend {
  /** Whether the client is a container on this resolver's network: nobody else gets any answer. */
  serves(clientIp: string): boolean;
  /** IPv4 addresses for a container name/alias visible to the client, or undefined when the name is not ours. */
  resolve(name: string, clientIp: string): string[] | undefined;
  /** The container name for an address on the client's networks (PTR). */
  reverse(ip: string, clientIp: string): string | undefined;
  upstreams(clientIp: string): Upstream[];
}

const TTL = 600;
const SERVFAIL = 2;
const REFUSED = 5;

/**
 * dockerd's embedded DNS for one user-defined network, served by the daemon itself on the network's gateway
 * address (UDP and TCP port 53). Containers reach it as 127.0.0.11, redirected inside their own namespace
 * (netns-redirect.ts), so the query arrives with their address on this network; a query from any other address
 * (a host user, a container of another network) is REFUSED. Names of containers are answered here, anything else is
 * forwarded to the upstreams from the host's resolv.conf (reachable even when they are loopback, since the daemon
 * runs in the host namespace). A socket per network in the daemon needs no process or setns per container.
 */
export class EmbeddedDnsServer {
  private udp?: dgram.Socket;
  private tcp?: net.Server;

  constructor(
    private readonly bindIp: string,
    private readonly backend: DnsBackend,
    private readonly log: Logger,
    private readonly port = 53,
  ) {}

  async start(): Promise<void> {
    const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.port, this.bindIp, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    udp.on('error', (err) => this.log.warn({ err: err.message, ip: this.bindIp }, 'embedded DNS socket error'));
    udp.on('message', (msg, rinfo) => {
      void this.answer(msg, rinfo.address).then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    udp.unref();
    this.udp = udp;
    const tcp = net.createServer((socket) => this.serveTcp(socket));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(this.port, this.bindIp, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
    tcp.unref();
    this.tcp = tcp;
  }

  close(): void {
    this.udp?.close();
    this.tcp?.close();
    this.udp = undefined;
    this.tcp = undefined;
  }

  private serveTcp(socket: net.Socket): void {
    let buf = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void this.answer(Buffer.from(msg), socket.remoteAddress?.replace(/^::ffff:/, '') ?? '').then((reply) => {
          if (!reply || socket.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(reply.length);
          socket.write(Buffer.concat([len, reply]));
        });
      }
    });
  }

  /** The reply to one query: local answer, forwarded answer, or SERVFAIL. */
  async answer(msg: Buffer, clientIp: string): Promise<Buffer | undefined> {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return undefined;
    }
    if (query.type === 'response') return undefined;
    const flags = (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE;
    if (!this.backend.serves(clientIp)) {
      return dnsPacket.encode({ type: 'response', id: query.id, flags: flags | REFUSED, questions: query.questions });
    }
    const q = query.questions?.[0];
    const local = q ? this.localAnswer(q, clientIp) : undefined;
    if (local) {
      return dnsPacket.encode({ type: 'response', id: query.id, flags, questions: query.questions, answers: local });
    }
    const reply = await forward(msg, this.backend.upstreams(clientIp));
    if (reply) return reply;
    return dnsPacket.encode({ type: 'response', id: query.id, flags: flags | SERVFAIL, questions: query.questions });
  }

  private localAnswer(q: dnsPacket.Question, clientIp: string): dnsPacket.Answer[] | undefined {
    const name = q.name.replace(/\.$/, '');
    if (q.type === 'A' || q.type === 'AAAA') {
      const ips = this.backend.resolve(name, clientIp);
      if (!ips) return undefined;
      // Known name without IPv6: an empty NOERROR answer, so resolvers do not go on to ask the upstreams.
      if (q.type === 'AAAA') return [];
      return ips.map((ip) => ({ type: 'A' as const, class: 'IN' as const, name: q.name, ttl: TTL, data: ip }));
    }
    if (q.type === 'PTR') {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/i.exec(name);
      if (!m) return undefined;
      const target = this.backend.reverse(`${m[4]}.${m[3]}.${m[2]}.${m[1]}`, clientIp);
      return target ? [{ type: 'PTR', class: 'IN', name: q.name, ttl: TTL, data: target }] : undefined;
    }
    return undefined;
  }
}
