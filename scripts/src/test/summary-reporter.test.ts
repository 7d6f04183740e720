import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const vitestBin = fileURLToPath(new URL('../../../node_modules/vitest/vitest.mjs', import.meta.url));
const config = fileURLToPath(new URL('./fixtures/vitest.config.ts', import.meta.url));

describe('the closing line', () => {
  it('counts failed hooks and unloadable files as failures, names them, lists retries and skip reasons, and exits non-zero', () => {
    const run = spawnSync(process.execPath, [vitestBin, 'run', '--config', config], { encoding: 'utf8', timeout: 90_000 });
    const lines = run.stdout.trimEnd().split('\n');
    // hooks-fail: 2 tests kept from running + the afterAll; top-level: 1 test kept from running; load-fails: 1.
    expect(lines.at(-1)).toBe('tests: 3 passed, 5 failed, 4 skipped');
    expect(run.status).not.toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('hooks-fail.fixture.ts > a rig that does not start (registry did not answer; 2 tests did not run)');
    expect(text).toContain('hooks-fail.fixture.ts > a rig that does not stop (daemon left running)');
    expect(text).toContain('top-level-hook-fails.fixture.ts (berthd exited at start; 1 test did not run)');
    expect(text).toContain('load-fails.fixture.ts (this file does not load)');
    expect(text).toMatch(/passed only on a retry:\n {2}\S*skips-and-retries\.fixture\.ts > passes on the second attempt \(1 retry\)/);
    expect(text).toContain('2 × opt-in benchmark: set BERTH_BENCH=1');
    expect(text).toContain('1 × no widget on this machine');
    expect(text).toMatch(/1 × no reason given \(\S*skips-and-retries\.fixture\.ts\)/);
  }, 120_000);
});
