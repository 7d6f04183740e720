import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Vitest's global set-up: one temporary folder for the whole run, named in BERTH_TEST_RUN_DIR for every test worker
 * (they start after this and inherit the environment), removed at the end. Test helpers that make a folder per
 * worker process put it here, since a worker is ended without its `exit` handlers running.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-test-run-'));
  process.env.BERTH_TEST_RUN_DIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
