import { EventEmitter } from 'node:events';
import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  /** Pinned host key (SSH wire format): any other key fails the handshake. */
  hostKeyBlob: Buffer;
}

export interface SshLinkEvents {
  /** The connection dropped (VM stopped or restarted); the next use reconnects. */
  disconnected: [reason: string];
  connected: [];
}

export interface ExecOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** POSIX shell quoting for exec argv. */
export function shellQuote(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * One SSH connection into the VM, shared by the tunnel, port forwards and exec. Keepalives detect a dead VM;
 * after a drop the next request reconnects (the VM restarted, maybe on another port: see setTarget).
 */
export class SshLink extends EventEmitter<SshLinkEvents> {
  private client: ssh2.Client | undefined;
  private connecting: Promise<ssh2.Client> | undefined;
  private closed = false;

  constructor(private target: SshTarget) {
    super();
  }

  setTarget(target: SshTarget): void {
    this.target = target;
    this.client?.end();
  }

  get isConnected(): boolean {
    return this.client !== undefined;
  }

  /** Connects, retrying until the deadline (sshd may not be up yet while the VM boots). */
  async connect(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    this.closed = false;
    while (Date.now() < deadline) {
      try {
        await this.get(Math.max(1000, deadline - Date.now()));
        return;
      } catch (err) {
        last = err;
        if (err instanceof Error && /host key/i.test(err.message)) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new Error(`SSH to 127.0.0.1:${this.target.port} failed: ${last instanceof Error ? last.message : String(last)}`);
  }

  private get(readyTimeout = 10_000): Promise<ssh2.Client> {
    if (this.closed) return Promise.reject(new Error('SSH link closed'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open(readyTimeout).finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private open(readyTimeout: number): Promise<ssh2.Client> {
    const { host, port, username, privateKey, hostKeyBlob } = this.target;
    return new Promise((resolve, reject) => {
      const client = new ssh2.Client();
      let ready = false;
      let hostKeyMismatch = false;
      client.once('ready', () => {
        ready = true;
        this.client = client;
        this.emit('connected');
        resolve(client);
      });
      client.on('error', (err) => {
        if (!ready) reject(hostKeyMismatch ? new Error('VM host key does not match the pinned key') : err);
      });
      client.on('close', () => {
        if (!ready) return reject(new Error('connection closed during handshake'));
        if (this.client === client) {
          this.client = undefined;
          this.emit('disconnected', 'connection closed');
        }
      });
      client.connect({
        host,
        port,
        username,
        privateKey,
        readyTimeout,
        keepaliveInterval: 5000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          hostKeyMismatch = !key.equals(hostKeyBlob);
          return !hostKeyMismatch;
        },
      });
    });
  }

  /** A channel to a unix socket in the VM (direct-streamlocal@openssh.com). */
  async streamLocal(socketPath: string): Promise<ClientChannel> {
    const client = await this.get();
    return new Promise((resolve, reject) => {
      client.openssh_forwardOutStreamLocal(socketPath, (err, stream) => (err ? reject(err) : resolve(stream)));
    });
  }

  /** A channel to a TCP address as seen from inside the VM (direct-tcpip). */
  async tcp(host: string, port: number): Promise<ClientChannel> {
    const client = await this.get();
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (err, stream) => (err ? reject(err) : resolve(stream)));
    });
  }

  /** A raw exec channel: stdin/stdout of the remote command as a stream (file sharing's SFTP transport). */
  async execStream(command: string): Promise<ClientChannel> {
    const client = await this.get();
    return new Promise((resolve, reject) => {
      client.exec(command, (err, stream) => (err ? reject(err) : resolve(stream)));
    });
  }

  async exec(argv: string[], opts: { timeoutMs?: number } = {}): Promise<ExecOutput> {
    const client = await this.get();
    return new Promise((resolve, reject) => {
      client.exec(shellQuote(argv), (err, stream) => {
        if (err) return reject(err);
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        const timer = opts.timeoutMs
          ? setTimeout(() => {
              stream.close();
              reject(new Error(`exec timed out: ${argv.join(' ')}`));
            }, opts.timeoutMs)
          : undefined;
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errOut.push(d));
        stream.on('close', (code: number | null) => {
          if (timer) clearTimeout(timer);
          resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(errOut).toString() });
        });
      });
    });
  }

  close(): void {
    this.closed = true;
    const c = this.client;
    this.client = undefined;
    c?.end();
  }
}
