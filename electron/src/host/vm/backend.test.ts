import { describe, expect, it } from 'vitest';
import { DEFAULT_VM_SETTINGS, restartReasons, VmStartError, type VmSettings, type VmState } from './backend.js';
import { MockBackend } from './mock-backend.js';

const settings: VmSettings = { ...DEFAULT_VM_SETTINGS, imageDir: '/img' };

describe('VM backend contract (mock)', () => {
  it('goes stopped → starting → running → stopping → stopped with stage progress', async () => {
    const vm = new MockBackend();
    const states: VmState[] = [];
    const stages: string[] = [];
    vm.on('state', (s) => states.push(s));
    vm.on('progress', (p) => p.phase === 'end' && stages.push(p.stage));
    await vm.start(settings);
    await vm.stop();
    expect(states).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(stages).toEqual(['prepare', 'boot', 'ssh', 'engine']);
  });

  it('fails a start with the stage and code that went wrong', async () => {
    const vm = new MockBackend({ failAt: { stage: 'ssh', code: 'timeout' } });
    const err = await vm.start(settings).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmStartError);
    expect((err as VmStartError).detail).toMatchObject({ stage: 'ssh', code: 'timeout' });
    expect(vm.status().state).toBe('error');
  });

  it('reports a crash as an error state with the console tail', async () => {
    const vm = new MockBackend();
    await vm.start(settings);
    vm.crash('end Kernel panic - not syncing');
    expect(vm.status()).toMatchObject({ state: 'error', error: { code: 'crashed', consoleTail: 'end Kernel panic - not syncing' } });
  });
});

describe('restartReasons', () => {
  it('lists what needs a restart and nothing when only equal settings are given', () => {
    expect(restartReasons(settings, settings)).toEqual([]);
    expect(restartReasons(settings, { ...settings, cpus: 4, memoryMiB: 4096 })).toEqual(['CPUs 2 → 4', 'memory 2048 MiB → 4096 MiB']);
    expect(restartReasons(undefined, { ...settings, cpus: 4 })).toEqual([]);
    expect(restartReasons(settings, { ...settings, daemonJson: '{"debug":true}' })).toEqual(['daemon.json changed']);
  });
});
