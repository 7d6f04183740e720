import { describe, expect, it } from 'vitest';
import { createSession } from './session.js';
import type { UiHost } from './ui-host.js';

describe('a UI session', () => {
  it('hands input sent while the engine is still opening a stream to the stream once it is open, in order', async () => {
    const received: unknown[] = [];
    let open!: () => void;
    const engineAnswered = new Promise<void>((r) => (open = r));
    const host = {
      endpoint: 'unix:///fake.sock',
      requests: {},
      streams: {
        // As exec does: the engine takes a while (create + start + hijack) before the stream takes input.
        'containers.exec': async () => {
          await engineAnswered;
          return { input: (d: unknown) => received.push(d), close: () => undefined };
        },
      },
      describe: () => undefined,
      subscribe: () => () => undefined,
      close: () => undefined,
    } as unknown as UiHost;
    const session = createSession(host, () => undefined);
    session.receive({ t: 'open', id: 1, ch: 'containers.exec', args: { id: 'c', cmd: ['sh'], cols: 80, rows: 24 } });
    session.receive({ t: 'input', id: 1, data: { data: 'ech' } });
    session.receive({ t: 'input', id: 1, data: { data: 'o hi\r' } });
    open();
    await new Promise((r) => setTimeout(r, 0));
    session.receive({ t: 'input', id: 1, data: { data: 'exit\r' } });
    expect(received).toEqual([{ data: 'ech' }, { data: 'o hi\r' }, { data: 'exit\r' }]);
    session.close();
  });
});
