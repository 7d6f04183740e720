import { constants, accessSync, existsSync } from 'node:fs';
import type { Accelerator } from '../backend.js';

export interface AccelProbeEnv {
  platform: NodeJS.Platform;
  /** Whether a path exists / is read-writable; injectable for tests. */
  exists(path: string): boolean;
  readWritable(path: string): boolean;
}

const realEnv: AccelProbeEnv = {
  platform: process.platform,
  exists: existsSync,
  readWritable(path) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * Picks the accelerator. On Linux /dev/kvm is not enough: a paravirtual KVM (kvm_pvm, as on some cloud VMs) accepts
 * `-accel kvm` and then dies with "emulation failure" a minute into the boot, so it counts as no KVM.
 */
export function probeAccelerator(env: AccelProbeEnv = realEnv, override?: string): Accelerator {
  if (override === 'kvm' || override === 'hvf' || override === 'whpx' || override === 'tcg') return override;
  if (env.platform === 'darwin') return 'hvf';
  if (env.platform === 'win32') return 'whpx';
  if (env.platform === 'linux' && env.readWritable('/dev/kvm') && !env.exists('/sys/module/kvm_pvm')) return 'kvm';
  return 'tcg';
}
