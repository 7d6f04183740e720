import { EventEmitter } from 'node:events';
import net from 'node:net';
import type { Duplex } from 'node:stream';

/** One published TCP port as the engine reports it (`docker port`). */
export interface PublishedPort {
  /** '0.0.0.0' (all interfaces), '127.0.0.1', … as the container asked. */
  hostIp: string;
  hostPort: number;
}

export interface PortConflict {
  containerId: string;
  hostIp: string;
  hostPort: number;
  message: string;
}

export interface PortForwarderEvents {
  listening: [containerId: string, port: PublishedPort];
  closed: [containerId: string, port: PublishedPort];
  /** The host port is taken by another program: reported, never silently ignored. */
  conflict: [PortConflict];
}

const key = (p: PublishedPort) => `${p.hostIp}:${p.hostPort}`;

/**
 * A forwarder below the SSH path, e.g. QEMU's user-mode `hostfwd` (no encryption in the data path: ~4x the
 * throughput under TCG). It reaches the VM's own address, so only wildcard binds may use it: a container bound to
 * 127.0.0.1 is only DNAT'ed for loopback destinations inside the VM.
 */
export interface DirectForward {
  add(port: PublishedPort): Promise<void>;
  remove(port: PublishedPort): Promise<void>;
}

type Listener = { close(): void };

/**
 * Host-side listeners for the containers' published ports. Each accepted connection is carried into the VM over
 * its own SSH channel to the same port there, where berthd's DNAT (nat OUTPUT + route_localnet) takes it to the
 * container.
 */
export class PortForwarder extends EventEmitter<PortForwarderEvents> {
  private readonly byContainer = new Map<string, Map<string, Listener>>();
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
    const current = this.byContainer.get(containerId) ?? new Map<string, Listener>();
    this.byContainer.set(containerId, current);
    const wanted = new Map(normalise(ports).map((p) => [key(p), p]));
    for (const [k, server] of current) {
      if (!wanted.has(k)) {
        current.delete(k);
        server.close();
      }
    }
    for (const [k, port] of wanted) {
      if (current.has(k)) continue;
      try {
        current.set(k, this.direct && port.hostIp === '0.0.0.0' ? await this.listenDirect(this.direct, port) : await this.listen(port));
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
    for (const [k, server] of current) {
      server.close();
      const [hostIp = '', hostPort = '0'] = splitKey(k);
      this.emit('closed', containerId, { hostIp, hostPort: Number(hostPort) });
    }
  }

  /** Every container's listeners, e.g. to reconcile after the event stream reconnects. */
  containers(): string[] {
    return [...this.byContainer.keys()];
  }

  closeAll(): void {
    for (const id of this.containers()) this.remove(id);
  }

  private async listenDirect(direct: DirectForward, port: PublishedPort): Promise<Listener> {
    await direct.add(port);
    return { close: () => void direct.remove(port).catch(() => undefined) };
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

function splitKey(k: string): [string, string] {
  const i = k.lastIndexOf(':');
  return [k.slice(0, i), k.slice(i + 1)];
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
    out.set(`${hostIp}:${p.hostPort}`, { hostIp, hostPort: p.hostPort });
  }
  return [...out.values()];
}
