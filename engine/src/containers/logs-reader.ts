import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { decodeLogLine as decode, frameLogLines, type LogEntry } from './log-lines.js';

export type { LogEntry, LogStream } from './log-lines.js';

export interface ReadLogOptions {
  stdout: boolean;
  stderr: boolean;
  /** The last N lines of the log (counted before any filter, as dockerd counts); negative: all. */
  tail: number;
  sinceNs?: bigint;
  untilNs?: bigint;
  /** Keep reading new lines, across rotations, until `stopped` settles (the container exited) or `until` passes. */
  follow?: { stopped: Promise<unknown> };
  signal: AbortSignal;
}

const CHUNK = 256 * 1024;
/** Reads when framing in place: bigger, since no per-line work waits on them. */
const FRAME_CHUNK = 1024 * 1024;

/** What one read's complete lines become: a batch to yield, and whether `until` was passed (stop after it). */
type DecodeRead<T> = (text: Buffer, end: number) => { batch: T[]; stop: boolean };

/** `2026-11-22T11:02:36.991341247Z` into nanoseconds and dockerd's fixed nine-digit form. */
export function parseLogTime(time: string): { ns: bigint; fixed: string } {
  const base = time.slice(0, 19);
  const m = /^\.(\d{1,9})/.exec(time.slice(19));
  const frac = (m?.[1] ?? '').padEnd(9, '0');
  const ms = Date.parse(`${base}Z`);
  return { ns: BigInt(Number.isNaN(ms) ? 0 : ms) * 1_000_000n + BigInt(frac), fixed: `${base}.${frac}Z` };
}

/** Just past the last complete line of `fh` now: a line still being written is not part of the snapshot. */
async function completeEnd(fh: FileHandle): Promise<number> {
  let end = (await fh.stat()).size;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const buf = Buffer.alloc(end - start);
    await fh.read(buf, 0, buf.length, start);
    const nl = buf.lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}

/**
 * Where reading starts so that exactly the last `n` complete lines before `ends` remain: [file index, byte offset].
 * `ends` is the snapshot taken when the request came (each file just past its last newline), so a busy writer
 * neither shifts the count nor adds lines to a tail.
 */
async function tailStart(files: FileHandle[], ends: number[], n: number): Promise<[number, number]> {
  if (n < 0 || files.length === 0) return [0, 0];
  const lastIndex = files.length - 1;
  if (n === 0) return [lastIndex, ends[lastIndex] ?? 0];
  let seen = 0;
  for (let i = lastIndex; i >= 0; i--) {
    const fh = files[i] as FileHandle;
    const size = ends[i] ?? 0;
    if (size === 0) continue;
    // Every line ends with a newline; the one ending the file's last line does not start another line.
    let end = size - 1;
    while (end > 0) {
      const start = Math.max(0, end - CHUNK);
      const buf = Buffer.alloc(end - start);
      await fh.read(buf, 0, buf.length, start);
      for (let k = buf.length - 1; k >= 0; k--) {
        if (buf[k] === 0x0a && ++seen === n) return [i, start + k + 1];
      }
      end = start;
    }
    if (++seen === n) return [i, 0];
  }
  return [0, 0];
}

/**
 * Reads a file in chunks cut at line ends: the partial last line of a read is kept and put in front of the next.
 */
class LineReader {
  private rest: Buffer | undefined;

  /** Up to `size` bytes at `pos`, after the partial line kept from before; `end` is just past the last newline. */
  async read(fh: FileHandle, pos: number, size: number): Promise<{ bytesRead: number; text: Buffer; end: number }> {
    if (size <= 0) return { bytesRead: 0, text: Buffer.alloc(0), end: 0 };
    const restLength = this.rest?.length ?? 0;
    const buf = Buffer.allocUnsafe(restLength + size);
    this.rest?.copy(buf, 0);
    const { bytesRead } = await fh.read(buf, restLength, size, pos);
    const text = buf.subarray(0, restLength + bytesRead);
    const end = text.lastIndexOf(0x0a) + 1;
    this.rest = end < text.length ? Buffer.from(text.subarray(end)) : undefined;
    return { bytesRead, text, end };
  }
}

/** A log file by name and inode: the inode is what stays the same while rotations rename it. */
interface LogFile {
  name: string;
  ino: number;
}

/** The log's files that exist now, oldest first (`.1` is the newest rotated one), in one quick synchronous pass. */
function listLogFiles(logPath: string): LogFile[] {
  const dir = path.dirname(logPath);
  const base = path.basename(logPath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const rotated = names
    .map((n) => (n.startsWith(`${base}.`) ? Number(n.slice(base.length + 1)) : NaN))
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => b - a)
    .map((n) => `${logPath}.${n}`);
  const files: LogFile[] = [];
  for (const name of [...rotated, logPath]) {
    const st = statSync(name, { throwIfNoEntry: false });
    if (st) files.push({ name, ino: st.ino });
  }
  return files;
}

/**
 * The log's files in order. The monitor rotates by renames from the oldest down (… `.1`→`.2`, then the live
 * file→`.1`, then a new live file); a listing taken part way still has the files in order, but one torn by a rename
 * while it was taken need not. Two listings in a row that agree are a state the directory was in.
 */
function logFileOrder(logPath: string): LogFile[] {
  let before = listLogFiles(logPath);
  for (let attempt = 0; attempt < 100; attempt++) {
    const after = listLogFiles(logPath);
    const same = after.length === before.length && after.every((f, i) => f.name === before[i]?.name && f.ino === before[i]?.ino);
    if (same) return after;
    before = after;
  }
  return before;
}

/** Opens the file with `file.ino`, following it to its new name if a rotation moved it; undefined once it is gone. */
async function openLogFile(logPath: string, file: LogFile): Promise<FileHandle | undefined> {
  let name = file.name;
  for (let attempt = 0; attempt < 100; attempt++) {
    const fh = await open(name, 'r').catch(() => undefined);
    if (fh) {
      if ((await fh.stat()).ino === file.ino) return fh;
      await fh.close();
    }
    const moved = logFileOrder(logPath).find((f) => f.ino === file.ino);
    if (!moved) return undefined;
    name = moved.name;
  }
  return undefined;
}

/**
 * The log's files, oldest first, opened, and the live one among them: the order from one state of the directory,
 * each file opened by its inode, so that a rotation while they are opened neither reorders nor skips a file.
 */
async function openChain(logPath: string): Promise<{ handles: FileHandle[]; inodes: number[]; live?: FileHandle }> {
  const handles: FileHandle[] = [];
  const inodes: number[] = [];
  let live: FileHandle | undefined;
  for (const file of logFileOrder(logPath)) {
    const fh = await openLogFile(logPath, file);
    if (!fh) continue;
    handles.push(fh);
    inodes.push(file.ino);
    if (file.name === logPath) live = fh;
  }
  return { handles, inodes, ...(live ? { live } : {}) };
}

/**
 * The files written after the one with inode `ino` (itself renamed by a rotation), oldest first, ending with the
 * live file.
 */
async function newerFiles(logPath: string, ino: number | undefined): Promise<FileHandle[]> {
  const { handles, inodes } = await openChain(logPath);
  // Not found: the old file was rotated away entirely; everything left is newer.
  const from = ino === undefined ? 0 : inodes.indexOf(ino) + 1;
  for (const fh of handles.slice(0, from)) await fh.close();
  return handles.slice(from);
}

/** The entries of a json-file log (and its rotated files), in batches (one per read), as `docker logs` shows them. */
export function readJsonFileLog(logPath: string, o: ReadLogOptions): AsyncGenerator<LogEntry[]> {
  const timed = o.sinceNs !== undefined || o.untilNs !== undefined;
  const accept = (e: LogEntry | undefined): 'yield' | 'skip' | 'stop' => {
    if (!e) return 'skip';
    if (timed) {
      const ns = parseLogTime(e.time).ns;
      if (o.untilNs !== undefined && ns > o.untilNs) return 'stop';
      if (o.sinceNs !== undefined && ns < o.sinceNs) return 'skip';
    }
    if (e.stream === 'stdout' ? !o.stdout : !o.stderr) return 'skip';
    return 'yield';
  };
  return readLog(logPath, o, CHUNK, (text, end) => {
    const batch: LogEntry[] = [];
    for (let start = 0; start < end; ) {
      const nl = text.indexOf(0x0a, start);
      const entry = decode(text.subarray(start, nl));
      start = nl + 1;
      const verdict = accept(entry);
      if (verdict === 'stop') return { batch, stop: true };
      if (verdict === 'yield') batch.push(entry as LogEntry);
    }
    return { batch, stop: false };
  });
}

/**
 * The bytes `docker logs` sends for a log read without times (no `since`/`until`/`timestamps`): every entry its own
 * frame (bare under a TTY), framed in place in 1 MiB reads, so each read is usually one buffer and one write.
 */
export function readFramedLog(logPath: string, o: Omit<ReadLogOptions, 'sinceNs' | 'untilNs'> & { multiplexed: boolean }): AsyncGenerator<Buffer[]> {
  return readLog(logPath, o, FRAME_CHUNK, (text, end) => ({ batch: frameLogLines(text, end, o), stop: false }));
}

/**
 * Reads a json-file log (and its rotated files) read by read, `decodeRead` turning each read's lines into a batch.
 * Following, it keeps its own descriptor of the live file, so a rotation (rename to `.1`, new file) loses no line:
 * the old file is finished, then the new one is read from its start.
 */
async function* readLog<T>(logPath: string, o: ReadLogOptions, chunk: number, decodeRead: DecodeRead<T>): AsyncGenerator<T[]> {
  const { handles, live: liveAtStart } = await openChain(logPath);
  let live = liveAtStart;
  let watcher: FSWatcher | undefined;
  try {
    // The log as it is now: what comes after belongs to following, never to this read (dockerd's snapshot).
    const ends = await Promise.all(handles.map(completeEnd));
    const [startFile, startOffset] = await tailStart(handles, ends, o.tail);
    /**
     * Yields the batches of `fh` from `pos` to its current end, one per read; returns the new position, or -1 once
     * past `until`.
     */
    async function* readOn(fh: FileHandle, from: number, lines: LineReader, limit = Infinity): AsyncGenerator<T[], number> {
      let pos = from;
      for (;;) {
        // Batches point into the buffer read (framed ones are made in place), so it is never reused.
        const { bytesRead, text, end } = await lines.read(fh, pos, Math.min(chunk, limit - pos));
        if (bytesRead === 0) return pos;
        pos += bytesRead;
        const { batch, stop } = decodeRead(text, end);
        if (batch.length > 0) yield batch;
        if (stop) return -1;
        if (o.signal.aborted) return pos;
      }
    }
    let livePos = 0;
    for (let i = startFile; i < handles.length; i++) {
      const fh = handles[i] as FileHandle;
      const pos = yield* readOn(fh, i === startFile ? startOffset : 0, new LineReader(), ends[i]);
      if (pos < 0 || o.signal.aborted) return;
      if (fh === live) livePos = pos;
    }
    if (!o.follow || o.signal.aborted) return;

    // Follow: wake on any change in the log's directory, with a slow poll as a safety net.
    let stopped = false;
    let wake: (() => void) | undefined;
    let dirty = false;
    const nudge = (): void => {
      dirty = true;
      wake?.();
    };
    void o.follow.stopped.then(() => {
      stopped = true;
      nudge();
    });
    o.signal.addEventListener('abort', nudge, { once: true });
    const untilTimer =
      o.untilNs !== undefined ? setTimeout(() => { stopped = true; nudge(); }, Math.max(0, Number((o.untilNs - BigInt(Date.now()) * 1_000_000n) / 1_000_000n))) : undefined;
    try {
      watcher = watch(path.dirname(logPath), nudge);
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined;
    }
    let lines = new LineReader();
    const opened = new Set<FileHandle>();
    try {
      for (;;) {
        const finalPass = stopped;
        if (live) {
          livePos = yield* readOn(live, livePos, lines);
          if (livePos < 0) return;
        }
        if (o.signal.aborted) return;
        // Rotated (a new file under the name) or truncated (max-file 1): catch up or rewind.
        const now = await stat(logPath).catch(() => undefined);
        const liveStat = live ? await live.stat() : undefined;
        if (now && (!liveStat || now.ino !== liveStat.ino)) {
          const chain = await newerFiles(logPath, liveStat?.ino);
          if (chain.length > 0) {
            // Whatever reached the old file before it was renamed, then every file rotated since, oldest first.
            if (live && (yield* readOn(live, livePos, lines)) < 0) return;
            for (const fh of chain) opened.add(fh);
            for (const fh of chain.slice(0, -1)) {
              if ((yield* readOn(fh, 0, new LineReader())) < 0) return;
            }
            live = chain.at(-1);
            livePos = 0;
            lines = new LineReader();
            continue;
          }
        } else if (now && now.size < livePos) {
          livePos = 0;
          lines = new LineReader();
          continue;
        }
        // The container has exited and its last file is read: a rotation just before the exit was caught above.
        if (finalPass) return;
        if (dirty) {
          dirty = false;
          continue;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 500);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
        dirty = false;
      }
    } finally {
      clearTimeout(untilTimer);
      for (const fh of opened) await fh.close().catch(() => undefined);
    }
  } finally {
    watcher?.close();
    for (const fh of handles) await fh.close().catch(() => undefined);
  }
}
