import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { berthPaths } from '../paths.js';
import { controlVm, vmEngineController } from './engine-controller.js';
import { factoryResetTargets } from './factory-reset.js';
import { MockVmService } from './mock-vm-service.js';
import { vmFiles } from './vm-files.js';
import type { VmView } from './vm-status-feed.js';
import { testTmpdir } from '../../../../scripts/src/testrig/temp-dir.js';

const tempPaths = () => berthPaths({ BERTH_HOME: mkdtempSync(path.join(testTmpdir(), 'berth-ctl-')) });

describe('vmEngineController', () => {
  it('runs operations one at a time, in order, and keeps going after a failure', async () => {
    const ctl = vmEngineController(tempPaths());
    const order: string[] = [];
    let running = false;
    // Stand in for the VM: record calls, fail the first stop.
    Object.assign(ctl.service, {
      status: () => ({ state: running ? 'running' : 'stopped' }),
      start: async () => {
        order.push('start');
        await new Promise((r) => setTimeout(r, 20));
        running = true;
      },
      stop: async () => {
        order.push('stop');
        if (order.filter((o) => o === 'stop').length === 1) throw new Error('busy');
        running = false;
      },
    });
    const results = await Promise.allSettled([ctl.start(), ctl.stop(), ctl.start(), ctl.restart(), ctl.stop()]);
    expect(order).toEqual(['start', 'stop', 'stop', 'start', 'stop']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  });

  it('reports a restart as one operation through every start stage, ending running', async () => {
    const ctl = controlVm(new MockVmService(), tempPaths());
    await ctl.start();
    const views: VmView[] = [];
    ctl.feed.on('change', (v) => views.push(v));
    await ctl.restart();
    expect(views[0]).toEqual({ state: 'running', operation: 'restart', stage: 'Stopping the VM' });
    const stages = views.filter((v) => v.state === 'starting').map((v) => v.stage);
    expect(stages.filter((s, i) => s !== stages[i - 1])).toEqual(['Starting the VM', 'Preparing disks and keys', 'Booting the VM', 'Waiting for the VM (SSH)', 'Waiting for berthd', 'Connecting to the engine']);
    const progress = views.filter((v) => v.progress !== undefined).map((v) => v.progress!);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBe(1);
    expect(views.every((v) => v.state === 'running' || v.operation === 'restart')).toBe(true);
    expect(views.at(-1)).toEqual({ state: 'running' });
  });

  it('factory reset stops the VM, deletes its disk, keys and logs (keeping settings), and boots again', async () => {
    const paths = tempPaths();
    const files = vmFiles(paths);
    mkdirSync(files.dir, { recursive: true });
    mkdirSync(files.sshDir, { recursive: true });
    mkdirSync(paths.logs, { recursive: true });
    writeFileSync(files.dataDisk, 'images');
    writeFileSync(path.join(files.sshDir, 'id_ed25519'), 'key');
    writeFileSync(files.hostLog, 'old host log\n');
    writeFileSync(paths.settings, '{"vm":{"cpus":1}}');
    const service = new MockVmService();
    const ctl = controlVm(service, paths);
    await ctl.start();
    const stages: string[] = [];
    ctl.feed.on('change', (v) => { if (v.stage && stages.at(-1) !== v.stage) stages.push(v.stage); });
    await ctl.factoryReset();
    expect(factoryResetTargets(paths)).toEqual([files.dataDisk, files.sshDir, files.bootSnapshotDir, paths.logs]);
    expect(existsSync(files.dataDisk)).toBe(false);
    expect(existsSync(files.sshDir)).toBe(false);
    // Emptied, not unlinked: the host process keeps appending to it.
    expect(readFileSync(files.hostLog, 'utf8')).toBe('');
    expect(readFileSync(paths.settings, 'utf8')).toContain('"cpus":1');
    expect(service.backend.calls).toEqual(['start', 'stop', 'start']);
    expect(stages.slice(0, 3)).toEqual(['Stopping the VM', 'Deleting images, containers, volumes and the VM keys', 'Starting the VM']);
    expect(ctl.feed.view()).toEqual({ state: 'running' });
  });

  it('a failed start ends the operation in error with the VM\'s reason', async () => {
    const ctl = controlVm(new MockVmService({ failAt: { stage: 'ssh', code: 'timeout' } }), tempPaths());
    await expect(ctl.restart()).rejects.toThrow(/mock failure at ssh/);
    expect(ctl.feed.view()).toEqual({ state: 'error', error: { code: 'timeout', stage: 'ssh', message: 'mock failure at ssh' } });
  });
});
