import { InvalidArgument, NotImplemented } from '../base/errors.js';
import { parseTimestamp } from '../base/timestamp.js';
import type { ContainerContext } from './context.js';
import { logPath } from './log-config.js';
import { readJsonFileLog, type LogEntry } from './logs-reader.js';

export interface LogsQuery {
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
  /** `all`, empty, or a line count; anything unparsable means all, as in dockerd. */
  tail: string;
  since: string;
  until: string;
  /** `timestamps=1`: every line keeps its own time, so lines are not merged into bigger entries. */
  timestamps?: boolean;
}

export interface LogsResult {
  tty: boolean;
  /** Entries in batches (one per file read), so large logs move in large writes; merged unless `timestamps`. */
  entries: AsyncIterable<LogEntry[]>;
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
  const reader = readJsonFileLog(logPath(ctx.store.dir(record.Id), record.Id), {
    stdout: q.stdout,
    stderr: q.stderr,
    tail: n,
    ...(sinceNs !== undefined ? { sinceNs } : {}),
    ...(untilNs !== undefined ? { untilNs } : {}),
    ...(follow ? { follow } : {}),
    merge: !q.timestamps,
    signal,
  });
  async function* entries(): AsyncGenerator<LogEntry[]> {
    try {
      yield* reader;
    } finally {
      waiter?.cancel();
    }
  }
  return { tty: record.Config.Tty, entries: entries() };
}
