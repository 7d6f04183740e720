import { describe, expect, it } from 'vitest';
import { startAnswered } from './start-answer.js';

const never = new Promise<void>(() => undefined);
const after = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('when start answers', () => {
  it('answers once the record is durable, or once the container has ended', async () => {
    expect(await startAnswered(after(5), never, 10_000)).toBe('saved');
    expect(await startAnswered(never, after(5), 10_000)).toBe('exited');
    // A failed write or wait answers too: start never hangs on either.
    expect(await startAnswered(Promise.reject(new Error('EIO')), never, 10_000)).toBe('saved');
  });

  it('answers after the cap when a slow fsync outlasts it and the container still runs', async () => {
    const t0 = Date.now();
    expect(await startAnswered(never, never, 50)).toBe('cap');
    expect(Date.now() - t0).toBeLessThan(5_000);
  });
});
