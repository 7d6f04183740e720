import { describe, expect, it } from 'vitest';
import { codec } from './codec.js';
import { SOURCE_TYPE_URL, sourceDetails } from './error-source.js';

describe('the Dockerfile lines of a build error (errdefs.Source)', () => {
  it('go out in both encodings a client may read: Go JSON and protobuf', () => {
    const [json, proto] = sourceDetails('Dockerfile', 'FROM x\nRUN false\n', { start: 2, end: 2 });
    expect(json!.type_url).toBe(SOURCE_TYPE_URL);
    expect(JSON.parse(Buffer.from(json!.value).toString())).toEqual({
      info: { filename: 'Dockerfile', data: Buffer.from('FROM x\nRUN false\n').toString('base64'), language: 'Dockerfile' },
      ranges: [{ start: { line: 2 }, end: { line: 2 } }],
    });
    const decoded = codec<{ info: { filename: string; data: Uint8Array }; ranges: Array<{ start: { line: number }; end: { line: number } }> }>('moby.buildkit.v1.frontend.ErrorSource').decode(proto!.value);
    expect(decoded.info.filename).toBe('Dockerfile');
    expect(Buffer.from(decoded.info.data).toString()).toBe('FROM x\nRUN false\n');
    expect(decoded.ranges.map((r) => [r.start.line, r.end.line])).toEqual([[2, 2]]);
  });
});
