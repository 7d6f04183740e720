import { describe, expect, it } from 'vitest';
import { DEFAULT_VM_SETTINGS, restartReasons, type VmSettings } from './backend.js';
import { vmBackendContract } from './backend-contract.test-helper.js';
import { MockBackend } from './mock-backend.js';

const settings: VmSettings = { ...DEFAULT_VM_SETTINGS, imageDir: '/img' };

describe('VM backend contract (mock)', () => {
  vmBackendContract({
    make: () => new MockBackend(),
    settings,
    failingStart: () => ({ backend: new MockBackend({ failAt: { stage: 'ssh', code: 'timeout' } }), settings, stage: 'ssh', code: 'timeout' }),
    crash: (vm) => (vm as MockBackend).crash('end Kernel panic - not syncing'),
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
