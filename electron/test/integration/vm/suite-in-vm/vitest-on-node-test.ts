// What a suite written for vitest (describe, it, beforeAll, afterAll, expect) needs, on Node's own test runner, so
// the suite can run as one bundled file where the repository's vitest would be too slow to start (in the VM under
// TCG, vitest took over two minutes just to load and its worker timed out). The assertions are vitest's own
// (@vitest/expect on chai), so a test reads and fails the same way in both places.
import { after, before, describe as nodeDescribe, it as nodeIt } from 'node:test';
import { ASYMMETRIC_MATCHERS_OBJECT, chai, JestAsymmetricMatchers, JestChaiExpect, JestExtend } from '@vitest/expect';
import type { expect as vitestExpect } from 'vitest';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** The integration project's timeouts (vitest.config.ts). */
const TEST_TIMEOUT_MS = 120_000;
const HOOK_TIMEOUT_MS = 300_000;

type Fn = () => unknown;

export const expect = Object.assign(
  (value: unknown, message?: string) => chai.expect(value, message),
  chai.expect,
  (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT] as object,
) as unknown as typeof vitestExpect;

export function describe(name: string, body: () => void): void {
  void nodeDescribe(name, body);
}

export function it(name: string, fn: Fn, timeout = TEST_TIMEOUT_MS): void {
  void nodeIt(name, { timeout }, async () => {
    await fn();
  });
}

export function beforeAll(fn: Fn, timeout = HOOK_TIMEOUT_MS): void {
  before(async () => {
    await fn();
  }, { timeout });
}

export function afterAll(fn: Fn, timeout = HOOK_TIMEOUT_MS): void {
  after(async () => {
    await fn();
  }, { timeout });
}
