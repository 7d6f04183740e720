/**
 * One build's progress as `Control.Status` messages. Messages are kept so a Status call that arrives late sees the
 * whole build; live subscribers get them as they are made. A vertex is sent when it starts and sent again, with the
 * same `started`, when it ends (a new `started` would add a second interval and confuse the plain printer).
 */
import { createHash, randomBytes } from 'node:crypto';
import { errorMessage } from '../base/errors.js';
import type { StepEvents, StepHandle } from '../build/step-events.js';
import { timestamp } from './codec.js';

type Ts = ReturnType<typeof timestamp>;

/** How often a running byte count is reported (the CLI's TTY display redraws about this often). */
const BYTE_STATUS_INTERVAL_MS = 100;

export interface StatusMessage {
  vertexes?: Array<Record<string, unknown>>;
  statuses?: Array<Record<string, unknown>>;
  logs?: Array<Record<string, unknown>>;
  warnings?: Array<Record<string, unknown>>;
}

type Listener = (m: StatusMessage | undefined) => void;

export class BuildProgress implements StepEvents {
  private readonly history: StatusMessage[] = [];
  private readonly listeners = new Set<Listener>();
  private ended = false;
  private last: string | undefined;

  private emit(m: StatusMessage): void {
    if (this.ended) return;
    this.history.push(m);
    for (const l of this.listeners) l(m);
  }

  /** Every message so far, then the live ones; `undefined` marks the end. */
  subscribe(listener: Listener): () => void {
    for (const m of this.history) listener(m);
    if (this.ended) {
      listener(undefined);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const l of this.listeners) l(undefined);
    this.listeners.clear();
  }

  begin(name: string): VertexHandle {
    const digest = `sha256:${createHash('sha256').update(randomBytes(16)).digest('hex')}`;
    const v = new VertexHandle(digest, name, [], (m) => this.emit(m));
    this.last = digest;
    return v;
  }

  warning(text: string): void {
    this.emit({ warnings: [{ vertex: this.last ?? '', level: 1, short: Buffer.from(text) }] });
  }
}

export class VertexHandle implements StepHandle {
  private readonly started: Ts = timestamp();
  private isCached = false;
  private done = false;
  private readonly statusStarted = new Map<string, Ts>();

  constructor(
    readonly digest: string,
    readonly name: string,
    private readonly inputs: string[],
    private readonly emit: (m: StatusMessage) => void,
  ) {
    this.emit({ vertexes: [this.vertex()] });
  }

  private vertex(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { digest: this.digest, inputs: this.inputs, name: this.name, started: this.started, ...extra };
  }

  log(data: Buffer, stream = 1): void {
    if (data.length) this.emit({ logs: [{ vertex: this.digest, timestamp: timestamp(), stream, msg: data }] });
  }

  cached(): void {
    this.isCached = true;
  }

  status(id: string, current?: number, total?: number, done?: boolean): void {
    const now = timestamp();
    let started = this.statusStarted.get(id);
    if (!started) this.statusStarted.set(id, (started = now));
    this.emit({
      statuses: [{ ID: id, vertex: this.digest, name: id, current: current ?? 0, total: total ?? 0, timestamp: now, started, ...(done ? { completed: now } : {}) }],
    });
  }

  /**
   * A running byte count as status `id`, reported at most once per interval: a report per file was 20,000
   * messages for a large context, each kept for late Status callers and each sent to a client that redraws only
   * about this often anyway. The caller reports the final count with `status(id, n, 0, true)`.
   */
  byteCounter(id: string): (bytes: number) => void {
    let last = 0;
    return (bytes) => {
      const now = Date.now();
      if (now - last < BYTE_STATUS_INTERVAL_MS) return;
      last = now;
      this.status(id, bytes);
    };
  }

  end(err?: unknown): void {
    if (this.done) return;
    this.done = true;
    const completed = this.isCached ? this.started : timestamp();
    this.emit({ vertexes: [this.vertex({ completed, cached: this.isCached, ...(err ? { error: errorMessage(err) } : {}) })] });
  }
}
