/**
 * dockerd's JSON progress messages (pkg/jsonmessage): per-layer status lines keyed by a 12-hex id, with
 * `progressDetail` for the CLI's bars and the legacy `progress` string that older clients print.
 */
export interface ProgressMessage {
  id?: string;
  status?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  stream?: string;
  aux?: unknown;
  error?: string;
  errorDetail?: { message: string };
}

export type ProgressSink = (m: ProgressMessage) => void;

export const noProgress: ProgressSink = () => undefined;

/** go-units HumanSize: decimal units, 4 significant digits (`1.235MB`, `512B`, `3.2kB`). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(4))}${units[i]}`;
}

/** The legacy bar: `[=====>        ]  1.235MB/3.4MB`, 50 columns as jsonmessage draws it. */
export function progressBar(current: number, total: number): string {
  const width = 50;
  let bar = '';
  if (total > 0 && current <= total) {
    const filled = Math.floor((width * current) / total);
    bar = `[${'='.repeat(Math.max(filled - 1, 0))}${filled > 0 ? '>' : ''}${' '.repeat(width - filled)}] `;
  }
  const numbers = total > 0 ? `${humanSize(current).padStart(8)}/${humanSize(total)}` : humanSize(current).padStart(8);
  return `${bar}${numbers}`;
}

/** Emits byte progress for one layer, throttled so a fast local pull does not flood the client. */
export class LayerProgress {
  private last = 0;
  private lastAt = 0;

  constructor(
    private readonly sink: ProgressSink,
    readonly id: string,
    private readonly status: string,
    private readonly total: number,
  ) {}

  update(current: number, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastAt < 100 && current !== this.total) return;
    this.last = current;
    this.lastAt = now;
    this.sink({
      status: this.status,
      progressDetail: { current, total: this.total },
      progress: progressBar(current, this.total),
      id: this.id,
    });
  }
}

export function statusLine(sink: ProgressSink, id: string, status: string): void {
  sink({ status, progressDetail: {}, id });
}
