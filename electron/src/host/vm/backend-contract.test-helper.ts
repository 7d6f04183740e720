// The one contract every VmBackend passes (the mock in unit tests, QemuBackend under TCG in integration tests), so
// the UI and the controller, which are tested against the mock, can rely on the same behaviour from the real VM.
import { once } from 'node:events';
import { expect, it } from 'vitest';
import { VmStartError, type StartStage, type VmBackend, type VmError, type VmSettings, type VmState } from './backend.js';

export interface BackendUnderContract {
  /** A new backend with no VM running. */
  make(): VmBackend;
  settings: VmSettings;
  /** A backend and settings whose start fails, and where and how it must say it failed. */
  failingStart(): { backend: VmBackend; settings: VmSettings; stage: StartStage; code: VmError['code'] };
  /** Makes the running VM die under the backend, as a crash would (mock: crash(); QEMU: SIGKILL of its process). */
  crash(backend: VmBackend): void;
  /** Per test: a real VM boots once or twice in a test (under TCG, tens of seconds each). */
  testTimeoutMs?: number;
}

/** Registers the contract in the calling `describe`. Each test leaves its backend stopped. */
export function vmBackendContract(c: BackendUnderContract): void {
  it('goes stopped → starting → running → stopping → stopped with stage progress, and runs commands while running', async () => {
    const vm = c.make();
    const states: VmState[] = [];
    const stages: string[] = [];
    vm.on('state', (s) => states.push(s));
    vm.on('progress', (p) => p.phase === 'end' && stages.push(p.stage));
    expect(vm.status().state).toBe('stopped');
    await expect(vm.exec(['true'])).rejects.toThrow('the VM is not running');
    try {
      await vm.start(c.settings);
      expect(vm.status()).toMatchObject({ state: 'running', pid: expect.any(Number), settings: c.settings });
      expect((await vm.exec(['true'])).code).toBe(0);
      expect(vm.restartReasons({ ...c.settings, cpus: c.settings.cpus + 1 })).toEqual([`CPUs ${c.settings.cpus} → ${c.settings.cpus + 1}`]);
      expect(vm.restartReasons(c.settings)).toEqual([]);
    } finally {
      await vm.stop();
    }
    expect(states).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(stages).toEqual(['prepare', 'boot', 'ssh', 'engine']);
    expect(vm.status().state).toBe('stopped');
    expect(vm.restartReasons({ ...c.settings, cpus: c.settings.cpus + 1 })).toEqual([]);
    await expect(vm.exec(['true'])).rejects.toThrow('the VM is not running');
    // Stopping a stopped VM is a no-op, not an error.
    await vm.stop();
    expect(vm.status().state).toBe('stopped');
  }, c.testTimeoutMs);

  it('fails a start with the stage and code that went wrong, as an error state and a failed event', async () => {
    const { backend: vm, settings, stage, code } = c.failingStart();
    const failed = once(vm, 'failed') as Promise<[VmError]>;
    const err = await vm.start(settings).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmStartError);
    expect((err as VmStartError).detail).toMatchObject({ stage, code });
    expect((await failed)[0]).toMatchObject({ stage, code });
    expect(vm.status()).toMatchObject({ state: 'error', error: { stage, code } });
  }, c.testTimeoutMs);

  it('reports a crash as an error state and a failed event with the console tail, and starts again after it', async () => {
    const vm = c.make();
    try {
      await vm.start(c.settings);
      const failed = once(vm, 'failed') as Promise<[VmError]>;
      c.crash(vm);
      const [error] = await failed;
      expect(error).toMatchObject({ code: 'crashed', consoleTail: expect.stringMatching(/\S/) });
      expect(vm.status()).toMatchObject({ state: 'error', error: { code: 'crashed' } });
      await expect(vm.exec(['true'])).rejects.toThrow('the VM is not running');
      await vm.start(c.settings);
      expect(vm.status().state).toBe('running');
    } finally {
      await vm.stop();
    }
  }, c.testTimeoutMs);
}
