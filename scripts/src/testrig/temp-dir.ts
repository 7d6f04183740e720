import os from 'node:os';

/**
 * Where a test makes its temporary folders: under vitest the run's own folder (BERTH_TEST_RUN_DIR, removed when the
 * run ends, so a test that does not clean up leaves nothing behind), else the system's.
 */
export function testTmpdir(): string {
  return process.env.BERTH_TEST_RUN_DIR ?? os.tmpdir();
}
