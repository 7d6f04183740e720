// Keeps a container's log lines for the viewer: appends in batches, caps memory, and filters by a search
// string without copying the whole buffer on every batch.
import type { LogLine } from '@berth/electron/shared/types.js';

export const MAX_LOG_LINES = 200_000;

export class LogBuffer {
  private lines: LogLine[] = [];
  /** Bumped on every change, so React can re-render by value. */
  version = 0;

  append(batch: LogLine[]): void {
    for (const l of batch) this.lines.push(l);
    if (this.lines.length > MAX_LOG_LINES) this.lines.splice(0, this.lines.length - MAX_LOG_LINES);
    this.version++;
  }

  clear(): void {
    this.lines = [];
    this.version++;
  }

  get length(): number {
    return this.lines.length;
  }

  all(): readonly LogLine[] {
    return this.lines;
  }

  /** ANSI escapes are ignored when matching: users search for what they see. */
  filter(query: string): readonly LogLine[] {
    const q = query.trim().toLowerCase();
    if (!q) return this.lines;
    return this.lines.filter((l) => stripAnsi(l.text).toLowerCase().includes(q));
  }
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

export function stripAnsi(s: string): string {
  return s.replace(ANSI, '');
}
