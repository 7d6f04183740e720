import { describe, expect, it } from 'vitest';
import type { EngineStatus } from '../../shared/types.js';
import type { VmView } from '../vm/vm-status-feed.js';
import type { EngineWatcher, WatcherListener } from './engine-watcher.js';
import { mergeVmStatus, withVmStatus } from './vm-engine-status.js';

const endpoint = 'unix:///home/ann/.berth/run/docker.sock';
const down: EngineStatus = { state: 'stopped', endpoint, reason: 'Cannot reach the engine', hint: 'Check the engine log' };
const up: EngineStatus = { state: 'running', endpoint, version: '0.1.0', apiVersion: '1.51' };

describe('engine status on a VM host', () => {
  it('says what the VM is doing while the engine socket is down', () => {
    expect(mergeVmStatus(down, { state: 'starting', stage: 'Booting the VM', progress: 0.05 }, true)).toEqual({ state: 'starting', endpoint, stage: 'Booting the VM', progress: 0.05 });
    expect(mergeVmStatus(down, { state: 'stopping', operation: 'restart', stage: 'Stopping the VM' }, true)).toEqual({ state: 'starting', endpoint, stage: 'Stopping the VM' });
    expect(mergeVmStatus(down, { state: 'stopped', operation: 'reset', stage: 'Deleting images, containers, volumes and the VM keys' }, true))
      .toEqual({ state: 'starting', endpoint, stage: 'Deleting images, containers, volumes and the VM keys' });
    expect(mergeVmStatus(down, { state: 'stopped' }, true)).toMatchObject({ state: 'stopped', reason: 'The Berth VM is not running.', hint: expect.stringMatching(/Restart the engine/) });
  });

  it('turns a VM failure into an error with its reason and what to do', () => {
    const s = mergeVmStatus(down, { state: 'error', error: { code: 'timeout', stage: 'ssh', message: 'timed out after 120 s' } }, true);
    expect(s).toEqual({
      state: 'error', endpoint,
      reason: 'The Berth VM failed while waiting for the VM (SSH): timed out after 120 s',
      hint: expect.stringMatching(/too slow at "waiting for the VM \(SSH\)".*more memory/),
    });
    expect(mergeVmStatus(down, { state: 'error', error: { code: 'no-qemu', message: 'qemu-system-x86_64 not found' } }, true).hint).toMatch(/Install QEMU/);
    expect(mergeVmStatus(down, { state: 'stopped', hint: 'Start Berth with `berth start`.' }, true).hint).toBe('Start Berth with `berth start`.');
  });

  it('shows the engine once the VM runs; connecting until the watcher tried again', () => {
    expect(mergeVmStatus(up, { state: 'running' }, true)).toBe(up);
    expect(mergeVmStatus(down, { state: 'running' }, false)).toEqual({ state: 'starting', endpoint, stage: 'Connecting to the engine', progress: 1 });
    expect(mergeVmStatus(down, { state: 'running' }, true)).toBe(down);
    expect(mergeVmStatus(down, undefined, true)).toBe(down);
  });

  it('goes starting(stages) → running without "stopped" in between, and asks the watcher to reconnect at once', async () => {
    let engine = up;
    const engineListeners = new Set<WatcherListener>();
    let retried = 0;
    const watcher: EngineWatcher = {
      status: () => engine,
      subscribe: (l) => { engineListeners.add(l); return () => engineListeners.delete(l); },
      retryNow: async () => {
        retried++;
        await new Promise((r) => setTimeout(r, 10));
        engine = up;
        engineListeners.forEach((l) => l('engine.status', up));
      },
      close: () => undefined,
    };
    let vmListener: (v: VmView) => void = () => undefined;
    const merged = withVmStatus(watcher, (l) => { vmListener = l; l({ state: 'running', operation: 'restart', stage: 'Stopping the VM' }); return () => undefined; });
    const seen: string[] = [];
    const changes: string[] = [];
    merged.subscribe((ch, v) => { if (ch === 'engine.status') seen.push(`${(v as EngineStatus).state}:${(v as EngineStatus).stage ?? ''}`); else changes.push(ch); });
    vmListener({ state: 'stopping', operation: 'restart', stage: 'Stopping the VM' });
    engine = down;
    engineListeners.forEach((l) => l('engine.status', down));
    vmListener({ state: 'stopped', operation: 'restart', stage: 'Stopping the VM' });
    vmListener({ state: 'starting', operation: 'restart', stage: 'Booting the VM', progress: 0.05 });
    vmListener({ state: 'running', operation: 'restart' });
    vmListener({ state: 'running' });
    await new Promise((r) => setTimeout(r, 30));
    engineListeners.forEach((l) => l('changed', { resource: 'images', action: 'reconnect' }));
    expect(retried).toBe(1);
    expect(seen).toEqual(['starting:Stopping the VM', 'starting:Booting the VM', 'starting:Connecting to the engine', 'running:']);
    expect(merged.status()).toBe(up);
    expect(changes).toEqual(['changed']);
  });
});
