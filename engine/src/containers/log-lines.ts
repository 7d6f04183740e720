/**
 * Decoding json-file log lines (`{"log":…,"stream":…,"time":…}`), one at a time or straight into the framed bytes
 * `docker logs` sends. Lines the monitor wrote
 * have a fixed key order and, almost always, a payload whose only escape is its final `\n` (or `\r\n` under a
 * TTY): those take byte-level paths that never build a string. Anything else goes through JSON.parse.
 */

export type LogStream = 'stdout' | 'stderr';

/** One json-file log entry. */
export interface LogEntry {
  stream: LogStream;
  data: Buffer;
  /** As written (Go's RFC3339Nano); `parseLogTime` turns it into nanoseconds or dockerd's fixed form. */
  time: string;
}

const LOG_PREFIX = Buffer.from('{"log":"');
const STREAM_KEY = Buffer.from('","stream":"');
const TIME_KEY = Buffer.from('","time":"');
const BACKSLASH = 0x5c;
const QUOTE = 0x22;

function parsed(line: Buffer): LogEntry | undefined {
  try {
    const j = JSON.parse(line.toString('utf8')) as { log?: string; stream?: string; time?: string };
    return { stream: j.stream === 'stderr' ? 'stderr' : 'stdout', data: Buffer.from(j.log ?? '', 'utf8'), time: j.time ?? '' };
  } catch {
    return undefined;
  }
}

/**
 * Decodes one line (without its newline). A torn last line (crash mid-write) gives undefined and is skipped, as
 * dockerd's decoder skips it.
 */
export function decodeLogLine(line: Buffer): LogEntry | undefined {
  const s = line.lastIndexOf(STREAM_KEY);
  if (line.subarray(0, LOG_PREFIX.length).equals(LOG_PREFIX) && s > 0) {
    const payload = line.subarray(LOG_PREFIX.length, s);
    const slash = payload.indexOf(BACKSLASH);
    const t = line.indexOf(TIME_KEY, s);
    if (t > 0 && (slash === -1 || (slash === payload.length - 2 && payload[slash + 1] === 0x6e))) {
      // In place: the line lives in a buffer of its own read, so the escaped `\n` can become a real newline.
      if (slash !== -1) payload[slash] = 0x0a;
      const data = slash === -1 ? payload : payload.subarray(0, slash + 1);
      const stream: LogStream = line[s + STREAM_KEY.length + 3] === 0x65 ? 'stderr' : 'stdout';
      return { stream, data, time: line.toString('latin1', t + TIME_KEY.length, line.length - 2) };
    }
  }
  return parsed(line);
}

function matchesAt(b: Buffer, at: number, key: Buffer): boolean {
  if (at < 0) return false;
  for (let k = 0; k < key.length; k++) if (b[at + k] !== key[k]) return false;
  return true;
}

/** Where the payload of the line plainLine accepted ends (its stream key), and its stream. */
let plainEnd = 0;
let plainStderr = false;

/**
 * Whether [pos, nl) has the monitor's form: `{"log":"` PAYLOAD `","stream":"` (stdout|stderr) `","time":"` TIME
 * `"}`, with no quote in TIME. PAYLOAD is [pos + 8, plainEnd); its escapes are the caller's to check.
 */
function plainLine(b: Buffer, pos: number, nl: number): boolean {
  const p0 = pos + LOG_PREFIX.length;
  // From the end: `"}`, the time, the time key, the stream, the stream key.
  if (nl - p0 < STREAM_KEY.length + 6 + TIME_KEY.length + 2 || b[nl - 1] !== 0x7d || b[nl - 2] !== QUOTE) return false;
  let q = nl - 3;
  while (q > p0 && b[q] !== QUOTE) q--;
  const t = q + 1 - TIME_KEY.length;
  const s = t - 6 - STREAM_KEY.length;
  if (s < p0 || !matchesAt(b, t, TIME_KEY) || !matchesAt(b, s, STREAM_KEY) || !matchesAt(b, pos, LOG_PREFIX)) return false;
  const w = s + STREAM_KEY.length;
  if (b[w] !== 0x73 || b[w + 1] !== 0x74 || b[w + 2] !== 0x64) return false;
  if (b[w + 3] === 0x6f && b[w + 4] === 0x75 && b[w + 5] === 0x74) plainStderr = false;
  else if (b[w + 3] === 0x65 && b[w + 4] === 0x72 && b[w + 5] === 0x72) plainStderr = true;
  else return false;
  plainEnd = s;
  return true;
}

/**
 * Moves a payload [p0, s) whose only escape is a final `\n` or `\r\n` to `to` (never after p0) in the same
 * buffer; returns where it ends, or -1 (nothing moved) when it has any other escape.
 */
function movePlainPayload(b: Buffer, p0: number, s: number, to: number): number {
  const slash = b.indexOf(BACKSLASH, p0);
  const i = slash === -1 || slash > s ? s : slash;
  let end = to + (i - p0);
  if (i === s - 2 && b[s - 1] === 0x6e) {
    b.copyWithin(to, p0, i);
    b[end++] = 0x0a;
  } else if (i === s - 4 && b[s - 3] === 0x72 && b[s - 2] === BACKSLASH && b[s - 1] === 0x6e) {
    b.copyWithin(to, p0, i);
    b[end++] = 0x0d;
    b[end++] = 0x0a;
  } else if (i === s) {
    b.copyWithin(to, p0, i);
  } else {
    return -1;
  }
  return end;
}

export interface FrameOptions {
  stdout: boolean;
  stderr: boolean;
  /** Each entry behind docker's 8-byte stdcopy header (`[stream,0,0,0,size u32 BE]`); false under a TTY: bare. */
  multiplexed: boolean;
}

function writeHeader(b: Buffer, at: number, stderr: boolean, length: number): void {
  b[at] = stderr ? 2 : 1;
  b[at + 1] = 0;
  b[at + 2] = 0;
  b[at + 3] = 0;
  b.writeUInt32BE(length, at + 4);
}

/**
 * The lines of text[0, end) (each ending in a newline) as the bytes `docker logs` sends: every accepted entry its
 * own frame, as dockerd sends (clients iterate frames as lines). Framed in place: a header is as long as the
 * `{"log":"` it replaces and a decoded payload is never longer than its escaped form, so each frame is moved to the
 * front of `text` (never past its own line) and the result is usually one view into `text`: one write per read.
 * A parsed entry that grows when decoded (raw invalid UTF-8, not the monitor's) goes in a buffer of its own.
 */
export function frameLogLines(text: Buffer, end: number, o: FrameOptions): Buffer[] {
  const head = o.multiplexed ? 8 : 0;
  const pieces: Buffer[] = [];
  let off = 0;
  let pieceStart = 0;
  for (let pos = 0; pos < end; ) {
    const nl = text.indexOf(0x0a, pos);
    let done = false;
    if (plainLine(text, pos, nl)) {
      done = true;
      if (plainStderr ? o.stderr : o.stdout) {
        const stderr = plainStderr;
        const next = movePlainPayload(text, pos + LOG_PREFIX.length, plainEnd, off + head);
        if (next >= 0) {
          if (head) writeHeader(text, off, stderr, next - off - head);
          off = next;
        } else {
          done = false;
        }
      }
    }
    if (!done) {
      const e = parsed(text.subarray(pos, nl));
      if (e && (e.stream === 'stderr' ? o.stderr : o.stdout)) {
        const stderr = e.stream === 'stderr';
        if (off + head + e.data.length <= nl) {
          if (head) writeHeader(text, off, stderr, e.data.length);
          off += head + e.data.copy(text, off + head);
        } else {
          if (off > pieceStart) pieces.push(text.subarray(pieceStart, off));
          const own = Buffer.allocUnsafe(head + e.data.length);
          if (head) writeHeader(own, 0, stderr, e.data.length);
          e.data.copy(own, head);
          pieces.push(own);
          // Later frames still go to the front of `text`, after what was already handed out.
          pieceStart = off;
        }
      }
    }
    pos = nl + 1;
  }
  if (off > pieceStart) pieces.push(text.subarray(pieceStart, off));
  return pieces;
}

/** One buffer for entries read with their times: each framed (unless TTY), with dockerd's timestamp prefix when asked. */
export function encodeEntries(batch: LogEntry[], tty: boolean, stamp: ((e: LogEntry) => string) | undefined): Buffer[] {
  const stamps = stamp ? batch.map(stamp) : undefined;
  let size = 0;
  batch.forEach((e, i) => (size += (tty ? 0 : 8) + (stamps?.[i]?.length ?? 0) + e.data.length));
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  batch.forEach((e, i) => {
    const prefix = stamps?.[i] ?? '';
    if (!tty) {
      writeHeader(out, off, e.stream === 'stderr', prefix.length + e.data.length);
      off += 8;
    }
    off += out.write(prefix, off, 'latin1');
    off += e.data.copy(out, off);
  });
  return [out];
}
