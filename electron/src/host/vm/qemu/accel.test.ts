import { describe, expect, it } from 'vitest';
import { probeAccelerator, type AccelProbeEnv } from './accel.js';

function env(platform: NodeJS.Platform, files: string[], rw: string[] = files): AccelProbeEnv {
  return { platform, exists: (p) => files.includes(p), readWritable: (p) => rw.includes(p) };
}

describe('probeAccelerator', () => {
  it('uses KVM on Linux when /dev/kvm is usable and real', () => {
    expect(probeAccelerator(env('linux', ['/dev/kvm']))).toBe('kvm');
  });
  it('falls back to TCG under a paravirtual KVM that cannot run a normal guest', () => {
    expect(probeAccelerator(env('linux', ['/dev/kvm', '/sys/module/kvm_pvm']))).toBe('tcg');
  });
  it('falls back to TCG without access to /dev/kvm', () => {
    expect(probeAccelerator(env('linux', ['/dev/kvm'], []))).toBe('tcg');
  });
  it('uses HVF on macOS and WHPX on Windows', () => {
    expect(probeAccelerator(env('darwin', []))).toBe('hvf');
    expect(probeAccelerator(env('win32', []))).toBe('whpx');
  });
  it('honours an explicit choice', () => {
    expect(probeAccelerator(env('linux', ['/dev/kvm']), 'tcg')).toBe('tcg');
  });
});
