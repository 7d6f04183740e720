import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartBerthdInPlace, startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
let stopRestarted: (() => Promise<void>) | undefined;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  await rig?.docker(['rm', '-f', 'kills-engine']);
  await stopRestarted?.();
  await rig?.stop();
});

describe('start is on record before the command runs', () => {
  // The container's first instruction kills berthd (it sees the host's processes), so the engine dies after the
  // command began and before `start` could answer, every time: whatever start still had to do after letting the
  // command run is lost. A record still "created" then would hide a container that ran (and, had it kept running,
  // left it unmanaged); docker-py's containers.run(auto_remove=True) hit the same gap as 404s when that write was
  // slow.
  it('a container that ran while the engine died during its start shows its exit after the restart', async () => {
    await rig.ok(['create', '--name', 'kills-engine', '--pid', 'host', rig.busybox, 'sh', '-c', `kill -9 ${rig.berthd.pid}; echo ran; exit 7`]);
    const start = await rig.docker(['start', 'kills-engine']);
    expect(start.code).not.toBe(0);
    stopRestarted = await restartBerthdInPlace(rig.berthd, [rig.registry.host]);
    // Reattached if the command still ran at the restart, its recorded exit otherwise: both end in exit 7.
    expect(await rig.ok(['wait', 'kills-engine'])).toBe('7');
    expect(await rig.ok(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'kills-engine'])).toBe('exited 7');
    expect(await rig.ok(['logs', 'kills-engine'])).toBe('ran');
  });
});
