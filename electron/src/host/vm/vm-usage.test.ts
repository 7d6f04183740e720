import { describe, expect, it } from 'vitest';
import { cpuPercentBetween, parseProcStat, parseProcStatusRss, parsePs, sampleVmUsage, type VmUsageSample } from './vm-usage.js';
import { DEFAULT_VM_SETTINGS } from './backend.js';

describe('VM usage from the host', () => {
  it('reads CPU ticks and RSS from /proc, even with spaces in the command name', () => {
    const stat = '4242 (qemu-system x86) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 566 0 0 20 0 5 0 100 3000000000 50000 18446744073709551615';
    expect(parseProcStat(stat)).toBe(18);
    expect(parseProcStatusRss('Name:\tqemu\nVmRSS:\t  524288 kB\nThreads: 5\n')).toBe(512 * 2 ** 20);
    expect(parsePs('  01:02.50  2048')).toEqual({ cpuSeconds: 62.5, rssBytes: 2 * 2 ** 20 });
    expect(parsePs('1-02:00:00 10')).toEqual({ cpuSeconds: 26 * 3600, rssBytes: 10240 });
  });

  it('turns two readings into percent of one core', () => {
    const a: VmUsageSample = { pid: 1, at: 0, cpuSeconds: 10, cpus: 2, memoryMiB: 2048, accel: 'tcg' };
    expect(cpuPercentBetween(undefined, a)).toBeUndefined();
    expect(cpuPercentBetween(a, { ...a, at: 2000, cpuSeconds: 13 })).toBe(150);
    expect(cpuPercentBetween(a, { ...a, pid: 2, at: 2000, cpuSeconds: 13 })).toBeUndefined();
  });

  it('samples a live process, and nothing when the VM is not running', async () => {
    const settings = { ...DEFAULT_VM_SETTINGS, imageDir: '/x' };
    const s = await sampleVmUsage({ state: 'running', pid: process.pid, accel: 'tcg', settings });
    expect(s).toMatchObject({ pid: process.pid, cpus: 2, memoryMiB: 2048, accel: 'tcg' });
    if (process.platform === 'win32') {
      // Windows: only the configured size is shown for now (vm-usage.ts reads no process figures there).
      expect(s).not.toHaveProperty('rssBytes');
    } else {
      expect(s!.rssBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(s!.cpuSeconds).toBeGreaterThan(0);
    }
    expect(await sampleVmUsage({ state: 'stopped' })).toBeNull();
    expect(await sampleVmUsage({ state: 'running', pid: 2 ** 22 + 7, settings })).toBeNull();
  });
});
