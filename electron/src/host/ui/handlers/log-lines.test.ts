import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../shared/types.js';
import { LogLineSplitter } from './log-lines.js';

function frame(stream: 1 | 2, text: string | Buffer): Buffer {
  const body = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function collect(opts: { multiplexed: boolean; timestamps?: boolean }) {
  const out: LogLine[][] = [];
  const s = new LogLineSplitter({ multiplexed: opts.multiplexed, timestamps: opts.timestamps ?? false, onLines: (l) => out.push(l), flushMs: 1 });
  return { s, lines: () => out.flat(), batches: out };
}

describe('LogLineSplitter', () => {
  it('demultiplexes stdout and stderr frames split anywhere, even inside a header or a UTF-8 character', () => {
    const { s, lines } = collect({ multiplexed: true });
    const bytes = Buffer.concat([frame(1, 'hello wörld\nsecond '), frame(2, 'oops\n'), frame(1, 'line\n')]);
    for (let i = 0; i < bytes.length; i += 3) s.push(bytes.subarray(i, i + 3));
    s.end();
    expect(lines()).toEqual([
      { stream: 'stdout', text: 'hello wörld' },
      { stream: 'stderr', text: 'oops' },
      { stream: 'stdout', text: 'second line' },
    ]);
  });

  it('reads a TTY stream as raw stdout, drops CR before LF, and keeps a last line without newline', () => {
    const { s, lines } = collect({ multiplexed: false });
    s.push(Buffer.from('\u001b[32mgreen\u001b[0m\r\nno newline'));
    s.end();
    expect(lines()).toEqual([{ stream: 'stdout', text: '\u001b[32mgreen\u001b[0m' }, { stream: 'stdout', text: 'no newline' }]);
  });

  it('splits the timestamp dockerd puts first when asked for timestamps', () => {
    const { s, lines } = collect({ multiplexed: true, timestamps: true });
    s.push(frame(1, '2024-11-22T12:00:00.123456789Z ready to serve\n'));
    s.end();
    expect(lines()).toEqual([{ stream: 'stdout', timestamp: '2024-11-22T12:00:00.123456789Z', text: 'ready to serve' }]);
  });

  it('sends 100k lines in a few large batches', () => {
    const { s, lines, batches } = collect({ multiplexed: true });
    const text = Array.from({ length: 100_000 }, (_, i) => `line ${i}\n`).join('');
    s.push(frame(1, text));
    s.end();
    expect(lines()).toHaveLength(100_000);
    expect(batches.length).toBeLessThanOrEqual(50);
    expect(lines()[99_999]!.text).toBe('line 99999');
  });
});
