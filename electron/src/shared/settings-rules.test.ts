import { describe, expect, it } from 'vitest';
import { validateSettings } from './settings-rules.js';

const limits = { maxCpus: 8, maxMemoryMiB: 15_000, minDiskGiB: 64, maxDiskGiB: 4096 };

describe('validateSettings', () => {
  it('accepts a sensible change and says nothing', () => {
    expect(validateSettings({
      cpus: 4, memoryMiB: 4096, diskGiB: 128, sharedFolders: ['/Users/ann', 'C:\\work'],
      registryMirrors: ['https://mirror.example.com', 'http://10.0.0.5:5000/'], insecureRegistries: ['registry.local:5000', '10.0.0.0/8', 'localhost'], startAtLogin: true,
    }, limits)).toEqual({});
  });

  it('names the allowed range for CPUs, memory and disk', () => {
    expect(validateSettings({ cpus: 9, memoryMiB: 256, diskGiB: 4097 }, limits)).toEqual({
      cpus: 'CPUs must be a whole number from 1 to 8 (this computer has 8).',
      memoryMiB: 'Memory must be a whole number of MiB from 512 to 15000.',
      diskGiB: 'Disk size must be a whole number of GiB up to 4096.',
    });
    expect(validateSettings({ cpus: 1.5 }, limits).cpus).toMatch(/whole number/);
    expect(validateSettings({ diskGiB: 32 }, limits).diskGiB).toBe('The disk cannot shrink: choose 64 GiB or more (reset to factory defaults to start smaller).');
  });

  it('explains what is wrong with a folder, mirror or insecure registry', () => {
    expect(validateSettings({ sharedFolders: ['relative/dir'] }, limits).sharedFolders).toBe('"relative/dir": a shared folder must be an absolute path');
    expect(validateSettings({ sharedFolders: ['/a', '/a'] }, limits).sharedFolders).toBe('"/a" is listed twice');
    expect(validateSettings({ registryMirrors: ['mirror.example.com'] }, limits).registryMirrors).toMatch(/is not a URL: a mirror looks like https:/);
    expect(validateSettings({ registryMirrors: ['ftp://m.example'] }, limits).registryMirrors).toBe('"ftp://m.example": a mirror must be an http:// or https:// URL');
    expect(validateSettings({ registryMirrors: ['https://u:p@m.example'] }, limits).registryMirrors).toMatch(/credentials/);
    expect(validateSettings({ insecureRegistries: ['http://registry.local'] }, limits).insecureRegistries).toBe('"http://registry.local": give the registry as host[:port], without http:// or https://');
    expect(validateSettings({ insecureRegistries: ['bad host'] }, limits).insecureRegistries).toMatch(/is not a registry address/);
    expect(validateSettings({ insecureRegistries: ['r.local:70000'] }, limits).insecureRegistries).toMatch(/port must be between/);
  });
});
