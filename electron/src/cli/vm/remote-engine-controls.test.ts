import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { berthPaths, type BerthPaths } from '../../host/paths.js';
import { createUiHost } from '../../host/ui/ui-host.js';
import { controlVm } from '../../host/vm/engine-controller.js';
import { MockVmService } from '../../host/vm/mock-vm-service.js';
import { vmFiles } from '../../host/vm/vm-files.js';
import type { VmView } from '../../host/vm/vm-status-feed.js';
import type { EngineStatus } from '../../shared/types.js';
import { controlSocket, serveControl } from './control.js';
import { controlHandler } from './control-server.js';
import { connectRemoteVmControls, HOST_GONE_HINT, vmControlsFor } from './remote-engine-controls.js';
import { testTmpdir } from '../../../../scripts/src/testrig/temp-dir.js';

// A real control server in this process, as `berth daemon` runs it, over a VM service without a VM.
async function daemon(opts: ConstructorParameters<typeof MockVmService>[0] = {}) {
  const paths = berthPaths({ BERTH_HOME: mkdtempSync(path.join(testTmpdir(), 'berth-rc-')) });
  mkdirSync(paths.run, { recursive: true });
  const service = new MockVmService(opts);
  const ctl = controlVm(service, paths);
  let stopped = 0;
  const server = await serveControl(controlSocket(paths), controlHandler(ctl, { onStopped: () => stopped++ }));
  const conns = new Set<net.Socket>();
  server.on('connection', (c) => { conns.add(c); c.on('close', () => conns.delete(c)); });
  const kill = () => { server.close(); conns.forEach((c) => c.destroy()); };
  cleanups.push(kill);
  return { paths, service, ctl, kill, stopped: () => stopped };
}

const cleanups: (() => void)[] = [];
afterEach(() => { cleanups.splice(0).forEach((c) => c()); });

function seedFiles(paths: BerthPaths) {
  const files = vmFiles(paths);
  mkdirSync(files.dir, { recursive: true });
  mkdirSync(paths.logs, { recursive: true });
  writeFileSync(files.dataDisk, 'images');
  writeFileSync(files.hostLog, 'host log\n');
  return files;
}

describe('EngineControls of `berth dashboard` (the VM in `berth daemon`, over its control socket)', () => {
  it('is absent when nothing answers on the control socket', async () => {
    expect(await connectRemoteVmControls(path.join(os.tmpdir(), 'berth-nothing.sock'))).toBeUndefined();
  });

  it('berth dashboard finds the daemon beside the VM socket, or where --vm-control says', async () => {
    const d = await daemon();
    const env = { BERTH_HOME: d.paths.home };
    expect(await vmControlsFor(`unix://${d.paths.dockerSocket}`, undefined, env)).toMatchObject({ hostLog: vmFiles(d.paths).hostLog });
    expect(await vmControlsFor('unix:///var/run/docker.sock', undefined, env)).toBeUndefined();
    expect(await vmControlsFor('unix:///var/run/docker.sock', controlSocket(d.paths), {})).toBeDefined();
    await expect(vmControlsFor('unix:///x.sock', path.join(d.paths.run, 'nothing.sock'), env)).rejects.toThrow(/nothing answers on the VM control socket/);
  });

  it('gives the Electron tray start, stop and restart of this install\'s daemon, and none for a bare control socket', async () => {
    const d = await daemon();
    const vm = (await vmControlsFor(`unix://${d.paths.dockerSocket}`, undefined, { BERTH_HOME: d.paths.home }))!;
    expect((await vmControlsFor('unix:///x.sock', controlSocket(d.paths), {}))!.tray).toBeUndefined();
    await vm.tray!.start();
    expect(d.service.status().state).toBe('running');
    await vm.tray!.restart();
    expect(d.service.status().state).toBe('running');
    await vm.tray!.stop();
    expect(d.service.status().state).toBe('stopped');
    expect(d.stopped()).toBe(1);
  });

  it('follows restart stage by stage, reports settings, usage and the engine log, and resets', async () => {
    const d = await daemon();
    const files = seedFiles(d.paths);
    const remote = (await connectRemoteVmControls(controlSocket(d.paths)))!;
    expect(remote.hostLog).toBe(files.hostLog);
    expect(remote.controls.factoryReset.deletes).toEqual([files.dataDisk, files.sshDir, files.bootSnapshotDir, d.paths.logs]);
    const views: VmView[] = [];
    const unwatch = remote.controls.watchVm((v) => views.push(v));
    await expect.poll(() => views[0]).toEqual({ state: 'stopped' });
    expect(await remote.controls.runningVmSettings()).toBeUndefined();
    expect(await remote.controls.vmUsage()).toBeNull();

    await remote.controls.restartEngine();
    await expect.poll(() => views.at(-1)).toEqual({ state: 'running' });
    const stages = views.filter((v) => v.state === 'starting').map((v) => v.stage);
    expect(new Set(stages)).toEqual(new Set(['Starting the VM', 'Preparing disks and keys', 'Booting the VM', 'Waiting for the VM (SSH)', 'Waiting for berthd', 'Connecting to the engine']));
    expect(views.slice(1).filter((v) => v.state !== 'running').every((v) => v.operation === 'restart')).toBe(true);
    expect(await remote.controls.runningVmSettings()).toMatchObject({ cpus: 2, memoryMiB: 2048 });
    expect(await remote.controls.vmUsage()).toMatchObject({ pid: process.pid, cpus: 2, memoryMiB: 2048, accel: 'tcg', rssBytes: expect.any(Number), cpuSeconds: expect.any(Number) });
    expect(await remote.controls.engineLog(5)).toEqual(d.service.engineLog);

    views.length = 0;
    await remote.controls.factoryReset.run();
    expect(existsSync(files.dataDisk)).toBe(false);
    expect(views.some((v) => v.operation === 'reset' && v.stage === 'Deleting images, containers, volumes and the VM keys')).toBe(true);
    await expect.poll(() => views.at(-1)).toEqual({ state: 'running' });
    unwatch();
  });

  it('says why a restart failed, with what to do', async () => {
    const d = await daemon({ failAt: { stage: 'boot', code: 'no-qemu' } });
    const remote = (await connectRemoteVmControls(controlSocket(d.paths)))!;
    await expect(remote.controls.restartEngine()).rejects.toMatchObject({
      message: 'The Berth VM did not start (booting the VM): mock failure at boot',
      hint: expect.stringMatching(/Install QEMU/),
    });
  });

  it('the dashboard host shows the daemon\'s VM in the engine status, and that the daemon went away', async () => {
    const d = await daemon({ stageMs: 5 });
    const remote = (await connectRemoteVmControls(controlSocket(d.paths), { maxBackoffMs: 50 }))!;
    const host = createUiHost({ engine: `unix://${path.join(d.paths.run, 'no-engine.sock')}`, controls: remote.controls });
    const seen: EngineStatus[] = [];
    host.subscribe((ch, v) => { if (ch === 'engine.status') seen.push(v as EngineStatus); });
    await remote.controls.restartEngine();
    expect(seen.filter((s) => s.state === 'starting').map((s) => s.stage)).toContain('Booting the VM');
    expect(seen.filter((s) => s.state === 'starting' && s.progress !== undefined).map((s) => s.progress).at(-1)).toBe(1);
    d.kill();
    await expect.poll(() => host.requests['engine.status']()).toMatchObject({ state: 'stopped', reason: 'The Berth VM is not running.', hint: HOST_GONE_HINT });
    await expect(remote.controls.restartEngine()).rejects.toMatchObject({ code: 'engine_down', hint: HOST_GONE_HINT });
    host.close();
  });
});
