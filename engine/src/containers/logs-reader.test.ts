import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameLogLines } from './log-lines.js';
import { parseLogTime, readFramedLog, readJsonFileLog, type ReadLogOptions } from './logs-reader.js';

const line = (text: string, stream: string, sec: number) => `${JSON.stringify({ log: `${text}\n`, stream, time: `2026-01-01T00:00:${String(sec).padStart(2, '0')}.5Z` })}\n`;

let dir: string;
let log: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'logs-reader-'));
  log = path.join(dir, 'c-json.log');
  // Oldest in .2, then .1, then the live file.
  await writeFile(`${log}.2`, line('a', 'stdout', 1) + line('b', 'stderr', 2));
  await writeFile(`${log}.1`, line('c', 'stdout', 3));
  await writeFile(log, line('d', 'stdout', 4) + line('e', 'stderr', 5));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function read(o: Partial<ReadLogOptions>): Promise<string> {
  let out = '';
  for await (const batch of readJsonFileLog(log, { stdout: true, stderr: true, tail: -1, signal: new AbortController().signal, ...o })) for (const e of batch) out += e.data.toString();
  return out;
}

describe('json-file log reader', () => {
  it('reads rotated files oldest first and skips a torn last line', async () => {
    expect(await read({})).toBe('a\nb\nc\nd\ne\n');
    const torn = path.join(dir, 'torn-json.log');
    await writeFile(torn, `${line('x', 'stdout', 1)}{"log":"to`);
    let out = '';
    for await (const batch of readJsonFileLog(torn, { stdout: true, stderr: true, tail: -1, signal: new AbortController().signal })) for (const e of batch) out += e.data.toString();
    expect(out).toBe('x\n');
  });

  it('tails across files, counting lines before the stream filter as dockerd does', async () => {
    expect(await read({ tail: 0 })).toBe('');
    expect(await read({ tail: 2 })).toBe('d\ne\n');
    expect(await read({ tail: 4 })).toBe('b\nc\nd\ne\n');
    expect(await read({ tail: 99 })).toBe('a\nb\nc\nd\ne\n');
    expect(await read({ tail: 2, stderr: false })).toBe('d\n');
  });

  it('filters by stream, since and until', async () => {
    expect(await read({ stdout: false })).toBe('b\ne\n');
    const at = (sec: number) => parseLogTime(`2026-01-01T00:00:0${sec}Z`).ns;
    expect(await read({ sinceNs: at(3) })).toBe('c\nd\ne\n');
    expect(await read({ untilNs: at(3) })).toBe('a\nb\n');
  });

  it('decodes escapes the fast path leaves to JSON.parse', async () => {
    const odd = path.join(dir, 'odd-json.log');
    await writeFile(odd, `${JSON.stringify({ log: 'tab\t<b> "q" \u00e9 no newline', stream: 'stderr', time: '2026-01-01T00:00:01Z' })}\n`);
    const got: string[] = [];
    for await (const batch of readJsonFileLog(odd, { stdout: true, stderr: true, tail: -1, signal: new AbortController().signal })) for (const e of batch) got.push(`${e.stream}:${e.data.toString()}:${e.time}`);
    expect(got).toEqual(['stderr:tab\t<b> "q" \u00e9 no newline:2026-01-01T00:00:01Z']);
  });

  it('formats times with nine fraction digits', () => {
    expect(parseLogTime('2026-11-22T11:02:36.9913Z').fixed).toBe('2026-11-22T11:02:36.991300000Z');
    expect(parseLogTime('2026-11-22T11:02:36Z').fixed).toBe('2026-11-22T11:02:36.000000000Z');
  });
});

describe('merged reading (no timestamps)', () => {
  const raw = (text: string, stream: string) => `${JSON.stringify({ log: text, stream, time: '2026-01-01T00:00:01.5Z' })}\n`;
  const mixed = [
    raw('one\n', 'stdout'),
    raw('two\n', 'stdout'),
    raw('tty line\r\n', 'stdout'),
    raw('partial, no newline', 'stdout'),
    raw('err "quoted" <b>\n', 'stderr'),
    raw('err\n', 'stderr'),
    raw('é and \u2028\n', 'stdout'),
    raw('', 'stdout'),
    raw('three\n', 'stdout'),
  ].join('');

  async function entries(file: string, o: Partial<ReadLogOptions>): Promise<Array<[string, string]>> {
    const got: Array<[string, string]> = [];
    for await (const batch of readJsonFileLog(file, { stdout: true, stderr: true, tail: -1, signal: new AbortController().signal, ...o })) {
      for (const e of batch) got.push([e.stream, e.data.toString()]);
    }
    return got;
  }

  /** Splits a multiplexed body into [stream, payload] frames. */
  function frames(body: Buffer): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (let off = 0; off < body.length; ) {
      const len = body.readUInt32BE(off + 4);
      out.push([body[off] === 2 ? 'stderr' : 'stdout', body.subarray(off + 8, off + 8 + len).toString()]);
      off += 8 + len;
    }
    return out;
  }

  async function framed(file: string, o: { stdout?: boolean; multiplexed?: boolean } = {}): Promise<Buffer> {
    const pieces: Buffer[] = [];
    for await (const batch of readFramedLog(file, { stdout: true, stderr: true, tail: -1, signal: new AbortController().signal, multiplexed: true, ...o })) pieces.push(...batch);
    return Buffer.concat(pieces);
  }

  it('frames every entry on its own, as dockerd does, with the same payloads as line by line', async () => {
    const file = path.join(dir, 'mixed-json.log');
    await writeFile(file, mixed);
    const lines = await entries(file, {});
    expect(frames(await framed(file))).toEqual(lines);
    expect(frames(await framed(file, { stdout: false }))).toEqual(lines.filter((e) => e[0] === 'stderr'));
    // Under a TTY the payloads go bare, one after another.
    expect((await framed(file, { multiplexed: false })).toString()).toBe(lines.map((e) => e[1]).join(''));
  });

  it('frames in place, and gives an entry that grows when decoded a buffer of its own', () => {
    // Framing rewrites the text in place: each call gets its own copy.
    const text = (): Buffer => Buffer.from(raw('abcdefghi\n', 'stdout').repeat(10));
    const plain = text();
    const pieces = frameLogLines(plain, plain.length, { stdout: true, stderr: true, multiplexed: true });
    expect(pieces).toHaveLength(1);
    expect(pieces[0]?.buffer).toBe(plain.buffer);
    expect(frames(pieces[0] as Buffer)).toEqual(Array(10).fill(['stdout', 'abcdefghi\n']));
    const invalid = Buffer.concat([Buffer.from('{"log":"'), Buffer.alloc(40, 0xff), Buffer.from('","stream":"stdout","time":"x"}\n')]);
    const both = Buffer.concat([text(), invalid, text()]);
    const got = frames(Buffer.concat(frameLogLines(both, both.length, { stdout: true, stderr: true, multiplexed: true })));
    expect(got.map((e) => e[1])).toEqual([...Array(10).fill('abcdefghi\n'), '\ufffd'.repeat(40), ...Array(10).fill('abcdefghi\n')]);
  });
});

describe('following across rotations', () => {
  it('loses no file when it looks while the writer is between two renames', async () => {
    // Another process rotates as the monitor does (keeping every file), back to back: `.n-1`→`.n` … `.1`→`.2`, live→`.1`, a new live file.
    // A listing taken at one of those gaps used to skip the file caught between two names.
    const followed = path.join(dir, 'rotating-json.log');
    await writeFile(followed, '');
    const rotations = 60;
    const writer = [
      'const fs = require("node:fs");',
      'const [log, rotations] = [process.argv[1], Number(process.argv[2])];',
      'let n = 0;',
      // A millisecond at each gap, as a busy machine gives the monitor between two system calls.
      'const gap = () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);',
      'const entry = (t) => JSON.stringify({ log: t + "\\n", stream: "stdout", time: "2026-01-01T00:00:01Z" }) + "\\n";',
      'for (let r = 0; r < rotations; r++) {',
      '  for (let k = 0; k < 3; k++) fs.appendFileSync(log, entry("line" + n++));',
      '  for (let i = r; i >= 1; i--) { fs.renameSync(log + "." + i, log + "." + (i + 1)); gap(); }',
      '  fs.renameSync(log, log + ".1");',
      '  gap();',
      '  fs.writeFileSync(log, "");',
      '}',
      'fs.appendFileSync(log, entry("last"));',
    ].join('\n');
    const child = spawn(process.execPath, ['-e', writer, followed, String(rotations)], { stdio: 'ignore' });
    const done = new Promise<void>((r) => child.on('exit', () => r()));
    // Followed until the writer is done, then one last pass, as for a container that exited.
    let out = '';
    for await (const batch of readJsonFileLog(followed, { stdout: true, stderr: true, tail: -1, follow: { stopped: done }, signal: new AbortController().signal })) {
      for (const e of batch) out += e.data.toString();
    }
    const expected = Array.from({ length: rotations * 3 }, (_, i) => `line${i}\n`).join('');
    expect(out).toBe(`${expected}last\n`);
  });
});
