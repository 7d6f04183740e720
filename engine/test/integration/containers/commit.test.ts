import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  await rig?.stop();
});

describe('docker commit', () => {
  it('turns a container\'s changes into a new image, with --change applied to its config', async () => {
    await rig.ok(['run', '--name', 'changed', rig.busybox, 'sh', '-c', 'echo committed > /made && rm /hello.txt']);
    const id = await rig.ok([
      'commit', '-a', 'Berth Tests', '-m', 'a commit', '-c', 'ENV STAGE=two', '-c', 'LABEL made.by=commit', '-c', 'CMD ["cat", "/made"]',
      'changed', 'berth-test/committed:v1',
    ]);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await rig.ok(['images', '--format', '{{.Repository}}:{{.Tag}}', 'berth-test/committed'])).toBe('berth-test/committed:v1');
    const cfg = JSON.parse(await rig.ok(['image', 'inspect', '--format', '{{json .}}', 'berth-test/committed:v1'])) as {
      Author: string; Comment: string; Config: { Env: string[]; Labels: Record<string, string>; Cmd: string[] };
    };
    expect(cfg.Author).toBe('Berth Tests');
    expect(cfg.Comment).toBe('a commit');
    expect(cfg.Config.Env).toContain('STAGE=two');
    expect(cfg.Config.Labels['made.by']).toBe('commit');
    expect(cfg.Config.Cmd).toEqual(['cat', '/made']);
    // The new image runs with the changes: the added file is there, the deleted one is gone.
    const out = await rig.ok(['run', '--rm', 'berth-test/committed:v1']);
    expect(out).toBe('committed');
    expect(await rig.check([], '[ -e /hello.txt ]')).toBe(0);
    const child = await rig.ok(['run', '-d', 'berth-test/committed:v1', 'sh', '-c', '[ ! -e /hello.txt ]']);
    expect(await rig.ok(['wait', child])).toBe('0');
    expect((await rig.ok(['history', '--format', '{{.Comment}}', 'berth-test/committed:v1'])).split('\n')[0]).toBe('a commit');
  });

  it('commits a running container, pausing it while its layer is read', async () => {
    await rig.ok(['run', '-d', '--name', 'live', rig.busybox, 'sh', '-c', 'echo live > /state; sleep 600']);
    const id = await rig.ok(['commit', 'live']);
    expect(id).toMatch(/^sha256:/);
    expect(await rig.ok(['inspect', '--format', '{{.State.Status}}', 'live'])).toBe('running');
    expect(await rig.ok(['run', '--rm', id, 'cat', '/state'])).toBe('live');
    await rig.ok(['rm', '-f', 'live']);
  });
});
