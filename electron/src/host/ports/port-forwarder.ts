import { EventEmitter } from 'node:events';

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
 * The path published ports take to the user's machine: QEMU's user-mode `hostfwd` (see qemu/hostfwd.ts), one rule
 * per port on the host address the container asked for. No encryption and no host process in the data path: ~4x
 * the throughput of an SSH channel per connection under TCG. A `127.0.0.1` rule delivers to the VM's loopback,
 * where berthd's loopback-only DNAT applies, so the port stays loopback-only on both sides.
 */
export interface DirectForward {
  /** Fails (with the reason) when the host port is taken by another program. */
  add(port: PublishedPort): Promise<void>;
  remove(port: PublishedPort): Promise<void>;
  /** What the direct path holds now, including rules an earlier host process left behind. */
  list?(): Promise<PublishedPort[]>;
}

/**
 * The containers' published ports on the user's machine, TCP and UDP alike, each a DirectForward rule. There is
 * no per-connection path through this process any more (it was an SSH channel per TCP connection for loopback
 * binds): every backend Berth has forwards ports below the host process.
 */
export class PortForwarder extends EventEmitter<PortForwarderEvents> {
  private readonly byContainer = new Map<string, Map<string, PublishedPort>>();
  /** sync() calls run one after another: a start event and a reconcile may ask for the same port at once. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly direct: DirectForward) {
    super();
  }

  /** Makes the forwards of one container exactly `ports` (adds new ones, removes the others). */
  sync(containerId: string, ports: PublishedPort[]): Promise<void> {
    const run = this.queue.then(() => this.syncNow(containerId, ports));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async syncNow(containerId: string, ports: PublishedPort[]): Promise<void> {
    const current = this.byContainer.get(containerId) ?? new Map<string, PublishedPort>();
    this.byContainer.set(containerId, current);
    const wanted = new Map(normalise(ports).map((p) => [key(p), p]));
    for (const [k, port] of current) {
      if (!wanted.has(k)) {
        current.delete(k);
        this.drop(port);
      }
    }
    for (const [k, port] of wanted) {
      if (current.has(k)) continue;
      try {
        await this.direct.add(port);
        current.set(k, port);
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
    for (const port of current.values()) {
      this.drop(port);
      this.emit('closed', containerId, port);
    }
  }

  /** Issued at once, so a later add of the same port (a restart) comes after it on the monitor. */
  private drop(port: PublishedPort): void {
    void this.direct.remove(port).catch(() => undefined);
  }

  /**
   * Removes direct rules no container here asked for: left by an earlier host process for containers that went
   * away while no one watched (they would keep the user's port taken). Run after a reconcile.
   */
  pruneDirect(): Promise<void> {
    const run = this.queue.then(async () => {
      if (!this.direct.list) return;
      const owned = new Set([...this.byContainer.values()].flatMap((m) => [...m.keys()]));
      for (const rule of await this.direct.list()) if (!owned.has(key(rule))) await this.direct.remove(rule);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Every container with forwards, e.g. to reconcile after the event stream reconnects. */
  containers(): string[] {
    return [...this.byContainer.keys()];
  }

  closeAll(): void {
    for (const id of this.containers()) this.remove(id);
  }
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
