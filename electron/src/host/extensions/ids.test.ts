import { describe, expect, it } from 'vitest';
import { composeProjectName, extensionDirName, parseExtensionRef } from './ids.js';

describe('extension names', () => {
  it('takes the ID from the repository and the version from the tag', () => {
    expect(parseExtensionRef('docker/disk-usage-extension:0.2.1')).toEqual({ image: 'docker/disk-usage-extension:0.2.1', id: 'docker/disk-usage-extension', version: '0.2.1' });
    expect(parseExtensionRef('127.0.0.1:5000/berth/ext')).toEqual({ image: '127.0.0.1:5000/berth/ext:latest', id: '127.0.0.1:5000/berth/ext', version: 'latest' });
    expect(parseExtensionRef('a/b@sha256:abc').id).toBe('a/b');
    expect(() => parseExtensionRef(' ')).toThrow(/invalid image reference/);
  });
  it('makes folder and Compose project names Docker Desktop style', () => {
    expect(extensionDirName('docker/disk-usage-extension')).toBe('docker_disk-usage-extension');
    expect(composeProjectName('docker/disk-usage-extension')).toBe('docker_disk-usage-extension-desktop-extension');
    expect(composeProjectName('127.0.0.1:5000/Berth/Ext')).toBe('127_0_0_1_5000_berth_ext-desktop-extension');
  });
});
