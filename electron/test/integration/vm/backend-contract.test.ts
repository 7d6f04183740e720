import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { DEFAULT_VM_SETTINGS, type VmBackend, type VmSettings } from '../../../src/host/vm/backend.js';
import { vmBackendContract } from '../../../src/host/vm/backend-contract.test-helper.js';
import { QemuBackend } from '../../../src/host/vm/qemu/qemu-backend.js';
import { vmFiles } from '../../../src/host/vm/vm-files.js';
import { berthPaths } from '../../../src/host/paths.js';
import { ensureImage } from './vm-image.js';

// The contract the mock passes in unit tests, against the real VM (QEMU under TCG on this machine, KVM/HVF/WHPX
// where they work). Each backend gets its own Berth home, so no test sees another's VM files.
describe('VM backend contract (QEMU)', () => {
  const homes: string[] = [];
  const backends: VmBackend[] = [];
  const newHome = () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-contract-'));
    homes.push(home);
    return vmFiles(berthPaths({ BERTH_HOME: home }));
  };
  const make = () => {
    const vm = new QemuBackend({ files: newHome() });
    backends.push(vm);
    return vm;
  };
  // Filled in before the first test: building the image (or finding it cached) is set-up, not a contract test.
  const settings: VmSettings = { ...DEFAULT_VM_SETTINGS, imageDir: '', memoryMiB: 1024 };

  beforeAll(() => {
    settings.imageDir = ensureImage();
  }, 600_000);

  afterAll(async () => {
    for (const vm of backends) await vm.stop({ timeoutMs: 5000 }).catch(() => undefined);
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  vmBackendContract({
    make,
    settings,
    failingStart: () => ({ backend: make(), settings: { ...settings, imageDir: newHome().dir }, stage: 'prepare', code: 'image-missing' }),
    crash: (vm) => {
      const pid = vm.status().pid;
      if (!pid) throw new Error('the running VM reports no QEMU pid');
      process.kill(pid, 'SIGKILL');
    },
    testTimeoutMs: 400_000,
  });
});
