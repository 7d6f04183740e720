import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { connectSocket } from '../util.js';

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export interface QmpEvents {
  event: [name: string, data: unknown];
  /** The socket closed: QEMU exited (or closed the monitor). The crash signal for VMs we did not spawn. */
  close: [];
}

/** A QMP (QEMU Machine Protocol) client: JSON lines over the monitor socket, replies matched by id. */
export class QmpClient extends EventEmitter<QmpEvents> {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    super();
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.values()) p.reject(new Error('QMP connection closed'));
      this.pending.clear();
      this.emit('close');
    });
  }

  /** Connects and negotiates capabilities; path is a unix socket or a Windows pipe path. */
  static async connect(path: string, timeoutMs = 5000): Promise<QmpClient> {
    const socket = await connectSocket(path, timeoutMs, `QMP connect timeout on ${path}`);
    const client = new QmpClient(socket);
    // QEMU serves one monitor client at a time: a second one connects but never gets the greeting.
    const timer = setTimeout(() => client.close(), timeoutMs);
    try {
      await client.execute('qmp_capabilities');
    } finally {
      clearTimeout(timer);
    }
    return client;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('QMP connection closed'));
    const id = String(this.nextId++);
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }

  private onMessage(msg: Record<string, unknown>): void {
    if ('QMP' in msg) return;
    if (typeof msg.event === 'string') {
      this.emit('event', msg.event, msg.data);
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : undefined;
    const p = id ? this.pending.get(id) : undefined;
    if (!p || !id) return;
    this.pending.delete(id);
    if ('error' in msg) {
      const e = msg.error as { class?: string; desc?: string };
      p.reject(new Error(`QMP ${e.class ?? 'error'}: ${e.desc ?? 'unknown'}`));
    } else {
      p.resolve(msg.return);
    }
  }
}
