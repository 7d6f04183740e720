// Turns dockerd's log stream into lines. Without a TTY the stream is multiplexed (8-byte frame headers: stream
// type, 3 zero bytes, big-endian length); with one it is raw bytes on stdout. Lines are batched so 100k lines of
// history cross the transport as a few hundred messages, not 100k.
import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from '../../../shared/types.js';

export interface LogLineSplitterOptions {
  multiplexed: boolean;
  timestamps: boolean;
  onLines(lines: LogLine[]): void;
  /** Flush at most this often while lines keep coming. */
  flushMs?: number;
  maxBatch?: number;
}

export class LogLineSplitter {
  private frame: Buffer = Buffer.alloc(0);
  private readonly partial = { stdout: '', stderr: '' };
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private batch: LogLine[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly opts: LogLineSplitterOptions) {}

  push(chunk: Buffer): void {
    if (!this.opts.multiplexed) {
      this.text('stdout', chunk);
      return;
    }
    this.frame = this.frame.length ? Buffer.concat([this.frame, chunk]) : chunk;
    while (this.frame.length >= 8) {
      const size = this.frame.readUInt32BE(4);
      if (this.frame.length < 8 + size) break;
      const kind = this.frame[0] === 2 ? 'stderr' : 'stdout';
      this.text(kind, this.frame.subarray(8, 8 + size));
      this.frame = this.frame.subarray(8 + size);
    }
  }

  /** The stream ended: emit what is left, even without a final newline. */
  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      this.partial[stream] = '';
      if (rest) this.line(stream, rest);
    }
    this.flush();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private text(stream: 'stdout' | 'stderr', bytes: Buffer): void {
    const text = this.partial[stream] + this.decoders[stream].write(bytes);
    const parts = text.split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const p of parts) this.line(stream, p.endsWith('\r') ? p.slice(0, -1) : p);
  }

  private line(stream: 'stdout' | 'stderr', raw: string): void {
    let text = raw;
    let timestamp: string | undefined;
    if (this.opts.timestamps) {
      const sp = raw.indexOf(' ');
      if (sp > 0 && /^\d{4}-\d\d-\d\dT/.test(raw)) {
        timestamp = raw.slice(0, sp);
        text = raw.slice(sp + 1);
      }
    }
    this.batch.push(timestamp ? { stream, timestamp, text } : { stream, text });
    if (this.batch.length >= (this.opts.maxBatch ?? 2000)) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.opts.flushMs ?? 50);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.batch.length) return;
    const lines = this.batch;
    this.batch = [];
    this.opts.onLines(lines);
  }
}
