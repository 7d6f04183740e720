import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVmSettings, repoImageDir, vmDaemonJsonFile } from './vm-settings.js';
import { testTmpdir } from '../../../../scripts/src/testrig/temp-dir.js';

describe('loadVmSettings', () => {
  const file = path.join(mkdtempSync(path.join(testTmpdir(), 'berth-set-')), 'settings.json');

  it('defaults to 2 CPUs, 2 GiB, the home directory shared and the checkout image', () => {
    const s = loadVmSettings(path.join(path.dirname(file), 'missing.json'), { HOME: '/home/u' });
    expect(s).toMatchObject({ cpus: 2, memoryMiB: 2048, accel: 'auto', shares: ['/home/u'], imageDir: repoImageDir() });
  });

  it('takes valid values from settings.json and ignores ill-typed ones', () => {
    writeFileSync(file, JSON.stringify({ vm: { cpus: 4, memoryMiB: 'lots', accel: 'warp', shares: ['/data'], engineArgs: ['--debug'] } }));
    const s = loadVmSettings(file, { HOME: '/home/u', BERTH_VM_IMAGE_DIR: '/img' });
    expect(s).toMatchObject({ cpus: 4, memoryMiB: 2048, accel: 'auto', shares: ['/data'], engineArgs: ['--debug'], imageDir: '/img' });
  });

  it('carries the daemon.json beside settings.json for the VM, unless it is missing or empty', () => {
    const daemonJson = path.join(path.dirname(file), 'daemon.json');
    expect(vmDaemonJsonFile(file)).toBe(daemonJson);
    expect(loadVmSettings(file, {}).daemonJson).toBeUndefined();
    writeFileSync(daemonJson, '{}\n');
    expect(loadVmSettings(file, {}).daemonJson).toBeUndefined();
    writeFileSync(daemonJson, '{ "labels": ["a=b"] }\n');
    expect(loadVmSettings(file, {}).daemonJson).toBe('{ "labels": ["a=b"] }\n');
    rmSync(daemonJson);
  });
});
