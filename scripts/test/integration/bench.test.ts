import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../src/testrig/index.js';

const run = promisify(execFile);
const benchMain = path.join(repoRoot, 'scripts', 'dist', 'bench', 'main.js');

// The harness runs from scripts/dist (npm run bench builds it first; so does the suite's typecheck step).
describe('npm run bench harness', () => {
  it('runs the chosen scenarios against a berthd it starts and reports medians as JSON', async () => {
    const { stdout } = await run(process.execPath, [benchMain, '--iterations', '2', '--no-peer', '--json', '--filter', 'docker-version,ping-throughput'], { cwd: repoRoot });
    const report = JSON.parse(stdout) as { peer: string; results: { scenario: string; berth: { samples: number[]; median: number }; dockerd: unknown; ratio: unknown }[] };
    expect(report.peer).toMatch(/no peer/);
    expect(report.results.map((r) => r.scenario)).toEqual(['docker-version', 'ping-throughput']);
    for (const r of report.results) {
      expect(r.berth.samples).toHaveLength(2);
      expect(r.berth.median).toBeGreaterThan(0);
      expect(r.dockerd).toBeNull();
      expect(r.ratio).toBeNull();
    }
  });

  it('prints the table and refuses a filter that matches nothing', async () => {
    const { stdout } = await run(process.execPath, [benchMain, '--iterations', '1', '--no-peer', '--filter', 'ping'], { cwd: repoRoot });
    expect(stdout).toMatch(/^scenario\s+unit\s+Berth median\s+dockerd median\s+Berth\/dockerd/m);
    expect(stdout).toMatch(/^ping-throughput\s+req\/s\s+\d+\s+-\s+-/m);
    await expect(run(process.execPath, [benchMain, '--filter', 'nope'], { cwd: repoRoot })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('matches no scenario') as unknown,
    });
  });
});
