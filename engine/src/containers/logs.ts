import { InvalidArgument, NotImplemented } from '../base/errors.js';
import { parseTimestamp } from '../base/timestamp.js';
import type { ContainerContext } from './context.js';
import { logPath } from './log-config.js';
import { encodeEntries } from './log-lines.js';
import { parseLogTime, readFramedLog, readJsonFileLog } from './logs-reader.js';

export interface LogsQuery {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  /** `all`, empty, or a line count; anything unparsable means all, as in dockerd. */
  tail: string;
  since: string;
  until: string;
  /** `timestamps=1`: every line starts with its time in dockerd's fixed nine-digit form. */
  timestamps?: boolean;
}

export interface LogsResult {
  tty: boolean;
  /**
   * The response body, as dockerd frames it (one stdcopy frame per log entry, bare under a TTY), in batches of
   * buffers (one batch per file read), so a large log moves in large corked writes.
   */
  chunks: AsyncIterable<Buffer[]>;
}

function optionalTime(value: string, name: string): bigint | undefined {
  if (value === '' || value === '0') return undefined;
  return parseTimestamp(value, name);
}

/**
 * `GET /containers/{id}/logs`: everything is validated before the 200 goes out; then entries are read from the
 * json-file log. Following ends when the container exits (or is removed), at `until`, or when the client leaves.
 */
export function containerLogs(ctx: ContainerContext, idOrName: string, q: LogsQuery, signal: AbortSignal): LogsResult {
  if (!(q.stdout || q.stderr)) throw new InvalidArgument('Bad parameters: you must choose at least one stream');
  const record = ctx.store.get(idOrName);
  if (record.HostConfig.LogConfig.Type === 'none') throw new NotImplemented('configured logging driver does not support reading');
  const sinceNs = optionalTime(q.since, 'since');
  const untilNs = optionalTime(q.until, 'until');
  const n = /^-?\d+$/.test(q.tail.trim()) ? Number(q.tail.trim()) : -1;
  let follow: { stopped: Promise<unknown> } | undefined;
  const waiter = q.follow && record.State.Running ? ctx.waiters.add(record.Id, 'next-exit') : undefined;
  if (waiter) follow = { stopped: waiter.promise };
  const path = logPath(ctx.store.dir(record.Id), record.Id);
  const tty = record.Config.Tty;
  const base = { stdout: q.stdout, stderr: q.stderr, tail: n, ...(follow ? { follow } : {}), signal };
  const timed = sinceNs !== undefined || untilNs !== undefined || q.timestamps === true;
  const stamp = q.timestamps ? (e: { time: string }) => `${parseLogTime(e.time).fixed} ` : undefined;
  const reader = timed
    ? mapBatches(readJsonFileLog(path, { ...base, ...(sinceNs !== undefined ? { sinceNs } : {}), ...(untilNs !== undefined ? { untilNs } : {}) }), (b) => encodeEntries(b, tty, stamp))
    : readFramedLog(path, { ...base, multiplexed: !tty });
  const proc = record.State.Running ? ctx.processes.get(record.Id) : undefined;
  async function* chunks(): AsyncGenerator<Buffer[]> {
    try {
      // A running container's output may still sit in its pipes (its monitor not yet scheduled on a busy machine):
      // the read starts once the monitor has written what the container wrote before this request.
      await proc?.flushOutput();
      yield* reader;
    } finally {
      waiter?.cancel();
    }
  }
  return { tty, chunks: chunks() };
}

async function* mapBatches<T>(source: AsyncGenerator<T[]>, f: (batch: T[]) => Buffer[]): AsyncGenerator<Buffer[]> {
  try {
    for await (const batch of source) yield f(batch);
  } finally {
    await source.return(undefined);
  }
}
