// Finding 6 of issue 17: `docker logs --tail N` (no -f) of a container that is writing all the time shows exactly
// the last N lines of the log as it was when asked, never the lines written while they are sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
  // As fast as the monitor takes it, rotated so the disk stays small.
  await rig.ok(['run', '-d', '--name', 'busy', '--log-opt', 'max-size=4m', '--log-opt', 'max-file=2', rig.busybox, 'sh', '-c', 'yes 0123456789abcdef']);
}, 120_000);
afterAll(async () => {
  await rig?.docker(['rm', '-f', 'busy']);
  await rig?.stop();
});

describe('docker logs --tail of a busy container', () => {
  it.each([1, 3, 100])('shows exactly %i lines, every time', async (n) => {
    for (let i = 0; i < 5; i++) {
      const r = await rig.docker(['logs', '--tail', String(n), 'busy']);
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').slice(0, -1)).toEqual(Array(n).fill('0123456789abcdef'));
    }
  });

  it('with --timestamps too (one entry per line)', async () => {
    const r = await rig.docker(['logs', '-t', '--tail', '2', 'busy']);
    expect(r.stdout).toMatch(/^(\S+Z 0123456789abcdef\n){2}$/);
  });
});
