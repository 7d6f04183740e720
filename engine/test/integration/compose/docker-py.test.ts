import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'docker-py.py');
let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  await rig?.stop();
});

describe('docker-py (python3-docker) against berthd', () => {
  it('pulls, runs, execs, reads logs and stats, and manages networks and volumes', () => {
    const r = spawnSync('python3', [script, rig.busybox], {
      env: { ...process.env, DOCKER_HOST: rig.berthd.dockerHost },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(r.stdout.trim().split('\n').pop() as string) as Record<string, unknown>;
    expect(seen).toMatchObject({
      version: '1.51',
      networks: ['pynet'],
      volumes: ['pyvol'],
      run_output: 'hello-py\n',
      exec: [0, 'from-exec\n'],
      stats_keys: ['cpu_stats', 'memory_stats', 'pids_stats', 'precpu_stats'],
      status: 'running',
      listed: ['pyservice'],
      exit: 0,
    });
    expect(seen.images).toContain(rig.busybox);
    expect(seen.logs).toContain('started');
  });
});
