import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeLogLines } from './log-lines.js';
import { parseLogTime, readJsonFileLog, type ReadLogOptions } from './logs-reader.js';

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

  it('gives the same bytes per stream as line by line, in one entry per run of a stream', async () => {
    const file = path.join(dir, 'mixed-json.log');
    await writeFile(file, mixed);
    const lines = await entries(file, {});
    const merged = await entries(file, { merge: true });
    const joined = (list: Array<[string, string]>, s: string) => list.filter((e) => e[0] === s).map((e) => e[1]).join('');
    expect(joined(merged, 'stdout')).toBe(joined(lines, 'stdout'));
    expect(joined(merged, 'stderr')).toBe(joined(lines, 'stderr'));
    expect(merged).toEqual([
      ['stdout', 'one\ntwo\ntty line\r\npartial, no newline'],
      ['stderr', 'err "quoted" <b>\nerr\n'],
      ['stdout', 'é and \u2028\nthree\n'],
    ]);
    expect(await entries(file, { merge: true, stdout: false })).toEqual([['stderr', 'err "quoted" <b>\nerr\n']]);
    // With since/until every line's time counts: no merging.
    expect((await entries(file, { merge: true, sinceNs: 0n })).length).toBe(lines.length);
  });

  it('keeps merged entries under the cap and survives bytes that grow when decoded', () => {
    // Merging compacts the text in place: each call gets its own copy.
    const text = (): Buffer => Buffer.from(raw('abcdefghi\n', 'stdout').repeat(10));
    const small = mergeLogLines(text(), text().length, { stdout: true, stderr: true }, 25);
    expect(small.map((e) => e.data.toString())).toEqual(Array(5).fill('abcdefghi\nabcdefghi\n'));
    const invalid = Buffer.concat([Buffer.from('{"log":"'), Buffer.alloc(40, 0xff), Buffer.from('","stream":"stdout","time":"x"}\n')]);
    const both = Buffer.concat([text(), invalid]);
    const got = mergeLogLines(both, both.length, { stdout: true, stderr: true });
    expect(Buffer.concat(got.map((e) => e.data)).toString()).toBe(`${'abcdefghi\n'.repeat(10)}${'\ufffd'.repeat(40)}`);
    expect(mergeLogLines(Buffer.from(invalid), invalid.length, { stdout: true, stderr: true }).map((e) => e.data.toString())).toEqual(['\ufffd'.repeat(40)]);
  });
});
