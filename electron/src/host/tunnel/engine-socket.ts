import { chmodSync, existsSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { ChannelPool } from './channel-pool.js';

export interface EngineSocketOptions {
  /** ~/.berth/run/docker.sock, or \\.\pipe\berth_engine on Windows. */
  socketPath: string;
  /** Opens a new byte stream to berthd's socket in the VM (an ssh2 direct-streamlocal channel). */
  openChannel: () => Promise<Duplex>;
  poolSize?: number;
  /** How long a warm channel may wait before it is replaced (tests shorten it). */
  poolMaxIdleMs?: number;
}

const UNAVAILABLE = JSON.stringify({ message: 'Berth: the VM is not running. Start it with `berth start`.' });

/**
 * The host API socket. Each client connection gets its own channel to berthd and bytes are piped both ways, so
 * hijacked streams (attach/exec), half-close (EOF one way only) and backpressure behave as on a local socket.
 */
export class EngineSocketServer {
  private readonly server: net.Server;
  private readonly pool: ChannelPool;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly opts: EngineSocketOptions) {
    this.pool = new ChannelPool(opts.openChannel, opts.poolSize ?? 2, opts.poolMaxIdleMs);
    this.server = net.createServer({ allowHalfOpen: true }, (client) => this.onClient(client));
  }

  async listen(): Promise<void> {
    const { socketPath } = this.opts;
    const isPipe = socketPath.startsWith('\\\\');
    if (!isPipe) {
      mkdirSync(path.dirname(socketPath), { recursive: true, mode: 0o700 });
      await removeStaleSocket(socketPath);
    }
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(socketPath, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    if (!isPipe) chmodSync(socketPath, 0o600);
    this.pool.refill();
  }

  /** The SSH connection changed (VM restarted): warm channels are stale. */
  reset(): void {
    this.pool.clear();
    this.pool.refill();
  }

  private onClient(client: net.Socket): void {
    this.sockets.add(client);
    client.once('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    this.pool.take().then(
      (channel) => splice(client, channel),
      () => {
        client.end(
          `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: ${UNAVAILABLE.length}\r\nConnection: close\r\n\r\n${UNAVAILABLE}`,
        );
      },
    );
  }

  async close(): Promise<void> {
    this.pool.close();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Pipes both ways; an EOF is passed on as an EOF (half-close), an error tears both down. */
function splice(client: net.Socket, channel: Duplex): void {
  client.pipe(channel);
  channel.pipe(client);
  const destroy = () => {
    client.destroy();
    channel.destroy();
  };
  client.on('error', destroy);
  channel.on('error', destroy);
  // No destroy on the client's close: data still buffered for the channel (SSH window) would be lost; the EOF
  // that pipe() forwards lets berthd finish and close the channel.
  channel.on('close', () => {
    // Let buffered data reach the client before closing it.
    if (!client.destroyed) client.end();
  });
}

/** A socket file left by a dead host process is removed; one that answers belongs to a live server: refuse. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  if (!existsSync(socketPath)) return;
  if (!lstatSync(socketPath).isSocket()) throw new Error(`${socketPath} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (live) throw new Error(`${socketPath} is in use by another process`);
  rmSync(socketPath, { force: true });
}
