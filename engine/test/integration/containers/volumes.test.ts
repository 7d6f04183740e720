import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  await rig?.stop();
});

describe('volumes in containers', () => {
  it('a named volume is shared between containers and outlives them', async () => {
    expect(await rig.check(['-v', 'shared:/data'], 'echo one > /data/f')).toBe(0);
    expect(await rig.check(['-v', 'shared:/other'], '[ "$(cat /other/f)" = one ]')).toBe(0);
    expect(await rig.ok(['volume', 'ls', '--filter', 'name=shared', '--format', '{{.Name}}'])).toBe('shared');
  });

  it('an empty volume is populated from the image at its mount path, unless nocopy', async () => {
    expect(await rig.check(['-v', 'etccopy:/etc'], 'true')).toBe(0);
    expect(await rig.check(['-v', 'etccopy:/seen'], '[ "$(cat /seen/berth-release)" = "berth-test busybox" ]')).toBe(0);
    expect(await rig.check(['-v', 'etcnocopy:/etc:nocopy'], 'true')).toBe(0);
    expect(await rig.check(['-v', 'etcnocopy:/seen'], '[ ! -e /seen/berth-release ]')).toBe(0);
  });

  it('refuses to remove a volume in use, with a 409', async () => {
    await rig.ok(['run', '-d', '--name', 'holder', '-v', 'busy:/data', rig.busybox, 'sleep', '600']);
    const r = await rig.docker(['volume', 'rm', 'busy']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/volume is in use/);
    await rig.ok(['rm', '-f', 'holder']);
    await rig.ok(['volume', 'rm', 'busy']);
  });

  it('rm -v removes anonymous volumes; plain rm keeps them', async () => {
    const kept = await rig.ok(['run', '-d', '-v', '/anon', rig.busybox, 'true']);
    const keptVolume = await rig.ok(['inspect', '--format', '{{range .Mounts}}{{.Name}}{{end}}', kept]);
    await rig.ok(['wait', kept]);
    await rig.ok(['rm', kept]);
    expect(await rig.ok(['volume', 'ls', '-q'])).toContain(keptVolume);
    const gone = await rig.ok(['run', '-d', '-v', '/anon', rig.busybox, 'true']);
    const goneVolume = await rig.ok(['inspect', '--format', '{{range .Mounts}}{{.Name}}{{end}}', gone]);
    await rig.ok(['wait', gone]);
    await rig.ok(['rm', '-v', gone]);
    expect(await rig.ok(['volume', 'ls', '-q'])).not.toContain(goneVolume);
  });

  it('--volumes-from shares another container\'s volumes', async () => {
    await rig.ok(['create', '--name', 'datasrc', '-v', 'fromvol:/data', rig.busybox, 'true']);
    expect(await rig.check(['--volumes-from', 'datasrc'], 'echo via > /data/v')).toBe(0);
    expect(await rig.check(['--volumes-from', 'datasrc:ro'], '[ "$(cat /data/v)" = via ] && ! touch /data/w 2>/dev/null')).toBe(0);
    await rig.ok(['rm', 'datasrc']);
  });

  it('--mount: volume readonly, tmpfs, and a missing bind source is an error', async () => {
    expect(await rig.check(['--mount', 'type=volume,source=mvol,target=/m,readonly'], '! touch /m/x 2>/dev/null')).toBe(0);
    expect(await rig.check(['--mount', 'type=tmpfs,target=/t'], 'grep -q " /t tmpfs" /proc/mounts')).toBe(0);
    const r = await rig.docker(['run', '-d', '--mount', 'type=bind,source=/nonexistent/berth,target=/b', rig.busybox, 'true']);
    expect(r.stderr).toContain('bind source path does not exist: /nonexistent/berth');
  });

  it('docker system df counts images, containers and volumes', async () => {
    await rig.ok(['create', '--name', 'dfprobe', rig.busybox, 'true']);
    const rows = (await rig.ok(['system', 'df', '--format', '{{json .}}'])).split('\n').map((l) => JSON.parse(l) as { Type: string; TotalCount: string });
    expect(rows.find((r) => r.Type === 'Images')?.TotalCount).toBe('1');
    expect(Number(rows.find((r) => r.Type === 'Local Volumes')?.TotalCount)).toBeGreaterThanOrEqual(4);
    expect(Number(rows.find((r) => r.Type === 'Containers')?.TotalCount)).toBeGreaterThanOrEqual(1);
    expect(rows.find((r) => r.Type === 'Build Cache')).toBeDefined();
    await rig.ok(['rm', 'dfprobe']);
  });
});
