import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartBerthdInPlace, startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
let stopRestarted: (() => Promise<void>) | undefined;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  await rig?.docker(['rm', '-f', 'survivor', 'ends-while-down']);
  await stopRestarted?.();
  await rig?.stop();
});

describe('nothing lost when berthd is killed', () => {
  it('containers keep running through kill -9 of the engine and are managed again after it restarts', async () => {
    await rig.ok(['run', '-d', '--name', 'survivor', rig.busybox, 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done']);
    await rig.ok(['run', '-d', '--name', 'ends-while-down', rig.busybox, 'sh', '-c', 'sleep 1; exit 42']);
    const pid = Number(await rig.ok(['inspect', '--format', '{{.State.Pid}}', 'survivor']));
    process.kill(rig.berthd.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    // The container's process outlived the engine.
    expect(() => process.kill(pid, 0)).not.toThrow();
    stopRestarted = await restartBerthdInPlace(rig.berthd, [rig.registry.host]);
    expect(await rig.ok(['inspect', '--format', '{{.State.Status}} {{.State.Pid}}', 'survivor'])).toBe(`running ${pid}`);
    expect(await rig.ok(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'ends-while-down'])).toBe('exited 42');
    await rig.ok(['stop', 'survivor']);
    expect(await rig.ok(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'survivor'])).toBe('exited 0');
    await rig.ok(['start', 'survivor']);
    expect(await rig.ok(['inspect', '--format', '{{.State.Running}}', 'survivor'])).toBe('true');
  });
});
