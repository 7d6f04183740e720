// A node:test reporter that writes one JSON line per finished test (`{"name","status","error"?}`), for the host
// side to read back whatever the console in between printed.
import type { TestEvent } from 'node:test/reporters';

interface Finished {
  name: string;
  nesting: number;
  details: { error?: unknown; type?: string };
  skip?: string | boolean;
  todo?: string | boolean;
}

function describeError(err: unknown): string {
  const e = err as { cause?: unknown; message?: string; stack?: string };
  const inner = (e?.cause ?? e) as { message?: string; stack?: string };
  return inner?.stack ?? inner?.message ?? String(inner);
}

export default async function* jsonLines(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const t = event.data as unknown as Finished;
    if (t.details.type === 'suite' && event.type === 'test:pass') continue;
    const status = t.skip || t.todo ? 'skipped' : event.type === 'test:pass' ? 'passed' : 'failed';
    const line = { name: t.name, suite: t.details.type === 'suite', status, ...(t.details.error ? { error: describeError(t.details.error) } : {}) };
    yield `BERTH-TEST ${JSON.stringify(line)}\n`;
  }
}
