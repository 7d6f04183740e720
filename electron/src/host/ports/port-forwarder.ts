import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** The protocols forwarded to the user's machine (berthd's sctp ports stay inside the VM). */
export type PortProto = 'tcp' | 'udp';

/** One published port as the engine reports it (`docker port`). */
export interface PublishedPort {
  proto: PortProto;
  /** '0.0.0.0' (all interfaces), '127.0.0.1', … as the container asked. */
  hostIp: string;
  hostPort: number;
}

export interface PortConflict extends PublishedPort {
  containerId: string;
  message: string;
}

export interface PortForwarderEvents {
  listening: [containerId: string, port: PublishedPort];
  closed: [containerId: string, port: PublishedPort];
  /** The host port is taken by another program: reported, never silently ignored. */
  conflict: [PortConflict];
}

const key = (p: PublishedPort) => `${p.proto}:${p.hostIp}:${p.hostPort}`;

/**
 * A forwarder below the SSH path: QEMU's user-mode `hostfwd` (no encryption in the data path: ~4x the
 * throughput under TCG). It carries every UDP port (SSH has no datagram channel) and wildcard TCP binds; the
 * host address it binds is the one the container asked for (see qemu/hostfwd.ts for the VM side).
 */
export interface DirectForward {
  add(port: PublishedPort): Promise<void>;
  remove(port: PublishedPort): Promise<void>;
  /** What the direct path holds now, including rules an earlier host process left behind. */
  list?(): Promise<PublishedPort[]>;
}

type Listener = { close(): void; direct: boolean };

/**
 * Host-side listeners for the containers' published ports. A TCP port bound to loopback gets a listener here and
 * each accepted connection is carried into the VM over its own SSH channel to the same port there, where
 * berthd's DNAT (nat OUTPUT + route_localnet) takes it to the container. UDP ports and wildcard TCP ports go to
 * the direct forwarder.
 */
export class PortForwarder extends EventEmitter<PortForwarderEvents> {
  private readonly byContainer = new Map<string, Map<string, { port: PublishedPort; listener: Listener }>>();
  /** sync() calls run one after another: a start event and a reconcile may ask for the same port at once. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly openTcp: (host: string, port: number) => Promise<Duplex>,
    private readonly direct?: DirectForward,
  ) {
    super();
  }

  /** Makes the listeners of one container exactly `ports` (opens new ones, closes the others). */
  sync(containerId: string, ports: PublishedPort[]): Promise<void> {
    const run = this.queue.then(() => this.syncNow(containerId, ports));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async syncNow(containerId: string, ports: PublishedPort[]): Promise<void> {
    const current = this.byContainer.get(containerId) ?? new Map<string, { port: PublishedPort; listener: Listener }>();
    this.byContainer.set(containerId, current);
    const wanted = new Map(normalise(ports).map((p) => [key(p), p]));
    for (const [k, { listener }] of current) {
      if (!wanted.has(k)) {
        current.delete(k);
        listener.close();
      }
    }
    for (const [k, port] of wanted) {
      if (current.has(k)) continue;
      try {
        current.set(k, { port, listener: await this.open(port) });
        this.emit('listening', containerId, port);
      } catch (err) {
        this.emit('conflict', { containerId, ...port, message: (err as Error).message });
      }
    }
    if (current.size === 0) this.byContainer.delete(containerId);
  }

  remove(containerId: string): void {
    const current = this.byContainer.get(containerId);
    if (!current) return;
    this.byContainer.delete(containerId);
    for (const { port, listener } of current.values()) {
      listener.close();
      this.emit('closed', containerId, port);
    }
  }

  /**
   * Removes direct rules no container here asked for: left by an earlier host process for containers that went
   * away while no one watched (they would keep the user's port taken). Run after a reconcile.
   */
  pruneDirect(): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.direct?.list) return;
      const owned = new Set([...this.byContainer.values()].flatMap((m) => [...m.values()].filter((e) => e.listener.direct).map((e) => key(e.port))));
      for (const rule of await this.direct.list()) if (!owned.has(key(rule))) await this.direct.remove(rule);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Every container's listeners, e.g. to reconcile after the event stream reconnects. */
  containers(): string[] {
    return [...this.byContainer.keys()];
  }

  closeAll(): void {
    for (const id of this.containers()) this.remove(id);
  }

  /** UDP always takes the direct path (SSH carries streams only); TCP does when bound to every address. */
  private open(port: PublishedPort): Promise<Listener> {
    const direct = this.direct;
    if (direct && (port.proto === 'udp' || port.hostIp === '0.0.0.0')) return this.listenDirect(direct, port);
    if (port.proto === 'udp') return Promise.reject(new Error('no UDP path into the VM (needs the direct forwarder)'));
    return this.listen(port).then((server) => ({ close: () => server.close(), direct: false }));
  }

  private async listenDirect(direct: DirectForward, port: PublishedPort): Promise<Listener> {
    await direct.add(port);
    return { close: () => void direct.remove(port).catch(() => undefined), direct: true };
  }

  private listen(port: PublishedPort): Promise<net.Server> {
    const target = isLoopback(port.hostIp) ? port.hostIp : '127.0.0.1';
    const server = net.createServer({ allowHalfOpen: true }, (client) => {
      client.on('error', () => client.destroy());
      this.openTcp(target, port.hostPort).then(
        (channel) => {
          // A client that sent everything and closed must not lose what the channel still buffers (SSH flow
          // control): its EOF is passed on by pipe(), the channel closes itself once flushed and answered.
          channel.on('error', () => client.destroy());
          client.on('error', () => channel.destroy());
          channel.on('close', () => client.end());
          client.pipe(channel);
          channel.pipe(client);
        },
        () => client.destroy(),
      );
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: port.hostIp, port: port.hostPort }, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}

function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

/**
 * The engine reports `0.0.0.0` and `::` for one `-p 8080:80`; on the host a single IPv4 wildcard listener serves
 * it (binding `::` as well would collide with it on dual-stack systems).
 */
export function normalise(ports: PublishedPort[]): PublishedPort[] {
  const out = new Map<string, PublishedPort>();
  for (const p of ports) {
    if (!p.hostPort) continue;
    const hostIp = p.hostIp === '' || p.hostIp === '::' ? '0.0.0.0' : p.hostIp;
    const port = { proto: p.proto, hostIp, hostPort: p.hostPort };
    out.set(key(port), port);
  }
  return [...out.values()];
}
