import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/testrig/index.js';

const run = promisify(execFile);
const benchMain = path.join(repoRoot, 'scripts', 'dist', 'bench', 'main.js');

/** The engine scenarios of issues 3, 4 and 5; each sets itself up (registry, images) and cleans up after itself. */
const ENGINE_SCENARIOS = [
  'idle-rss-0',
  'idle-rss-20',
  'pull',
  'pull-present',
  'push',
  'run-rm-true',
  'run-rm-true-bridge',
  'create-start-rm-x20',
  'logs-throughput',
  'tcp-throughput',
];

interface Report {
  results: { scenario: string; unit: string; berth: { samples: number[]; median: number } | null; dockerd: unknown; notes?: string[] }[];
}

// Smoke only: each scenario runs once against berthd (no peer) and yields a positive figure. The figures themselves
// belong to `npm run bench`, never to assertions.
describe('bench engine scenarios (one iteration, berthd only)', () => {
  it('runs each scenario once and reports a positive sample for Berth', { timeout: 300_000 }, async () => {
    const { stdout } = await run(
      process.execPath,
      [benchMain, '--iterations', '1', '--no-peer', '--json', '--filter', ENGINE_SCENARIOS.join(',')],
      { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as Report;
    expect(report.results.map((r) => r.scenario)).toEqual(ENGINE_SCENARIOS);
    for (const r of report.results) {
      // A scenario's notes say what went wrong, but for the floors the pull scenarios report beside their figure.
      expect(r.notes?.filter((n) => !n.startsWith('floor: ')), r.scenario).toEqual([]);
      if (r.scenario === 'pull') expect(r.notes, r.scenario).toEqual([expect.stringMatching(/^floor: raw download/), expect.stringMatching(/^floor: tar -xzf/)]);
      expect(r.berth?.samples, r.scenario).toHaveLength(1);
      expect(r.berth!.median, r.scenario).toBeGreaterThan(0);
      expect(r.dockerd).toBeNull();
    }
  });
});
