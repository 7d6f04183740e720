import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { VmUsage } from '../../shared/types.js';
import { berthPaths } from '../paths.js';
import { controlVm } from '../vm/engine-controller.js';
import { MockVmService } from '../vm/mock-vm-service.js';
import type { VmView } from '../vm/vm-status-feed.js';
import { vmUsageStreams } from './handlers/vm-usage.js';
import { createUiHost } from './ui-host.js';
import { inProcessVmControls } from './vm-engine-controls.js';
import { testTmpdir } from '../../../../scripts/src/testrig/temp-dir.js';

function setup(opts: ConstructorParameters<typeof MockVmService>[0] = {}) {
  const paths = berthPaths({ BERTH_HOME: mkdtempSync(path.join(testTmpdir(), 'berth-ctl-')) });
  const service = new MockVmService(opts);
  const ctl = controlVm(service, paths);
  return { paths, service, ctl, controls: inProcessVmControls(ctl) };
}

describe('EngineControls of the Electron app (VM in the same process)', () => {
  it('restarts, reports the running settings, reads berthd\'s log, and resets with the shared list', async () => {
    const { ctl, controls, paths, service } = setup();
    expect(await controls.runningVmSettings()).toBeUndefined();
    const views: VmView[] = [];
    const off = controls.watchVm((v) => views.push(v));
    expect(views).toEqual([{ state: 'stopped' }]);
    await controls.restartEngine();
    expect(views.at(-1)).toEqual({ state: 'running' });
    expect(views.some((v) => v.state === 'starting' && v.operation === 'restart')).toBe(true);
    expect(await controls.runningVmSettings()).toMatchObject({ cpus: 2, memoryMiB: 2048 });
    expect(await controls.engineLog(1)).toEqual(['API listening on /run/berth/berthd.sock']);
    expect(controls.factoryReset.deletes).toEqual([path.join(paths.vm, 'data.qcow2'), path.join(paths.home, 'ssh'), path.join(paths.vm, 'boot-snapshots'), paths.logs]);
    await controls.factoryReset.run();
    expect(service.backend.calls).toEqual(['stop', 'start', 'stop', 'start']);
    off();
    const n = views.length;
    await ctl.stop();
    expect(views).toHaveLength(n);
  });

  it('streams the VM process\'s CPU and memory only while open, null while the VM is stopped', async () => {
    const { ctl, controls } = setup();
    await ctl.start();
    const open = vmUsageStreams(controls, 20)['engine.vmUsage'];
    const got: (VmUsage | null)[] = [];
    const stream = await open(undefined, { data: (v) => got.push(v), end: () => undefined });
    await expect.poll(() => got.length).toBeGreaterThanOrEqual(2);
    expect(got[0]).toMatchObject({ cpus: 2, memoryLimitBytes: 2048 * 2 ** 20, accel: 'tcg' });
    expect(got[0]!.cpuPercent).toBeUndefined();
    expect(got[1]!.cpuPercent).toBeGreaterThanOrEqual(0);
    expect(got[1]!.memoryBytes).toBeGreaterThan(0);
    await ctl.stop();
    await expect.poll(() => got.at(-1)).toBeNull();
    stream.close();
    const n = got.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(got).toHaveLength(n);
  });

  it('says null once and ends on a host without a VM', async () => {
    const got: unknown[] = [];
    let ended = false;
    await vmUsageStreams({})['engine.vmUsage'](undefined, { data: (v) => got.push(v), end: () => { ended = true; } });
    expect(got).toEqual([null]);
    expect(ended).toBe(true);
  });

  it('the UI host reports the VM\'s failure as the engine status, with a hint', async () => {
    const { controls } = setup({ failAt: { stage: 'engine', code: 'timeout' } });
    const host = createUiHost({ engine: `unix://${path.join(os.tmpdir(), 'berth-none.sock')}`, controls });
    const seen: string[] = [];
    host.subscribe((ch, v) => { if (ch === 'engine.status') seen.push((v as { state: string }).state); });
    await expect(host.requests['engine.restart']()).rejects.toMatchObject({ code: 'timeout', message: 'The Berth VM did not start (waiting for berthd): mock failure at engine', hint: expect.stringMatching(/too slow/) });
    const status = await host.requests['engine.status']();
    expect(status).toMatchObject({ state: 'error', reason: 'The Berth VM failed while waiting for berthd: mock failure at engine', hint: expect.stringMatching(/too slow/) });
    expect(seen).toContain('starting');
    host.close();
  });
});
