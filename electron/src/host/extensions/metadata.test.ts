import { describe, expect, it } from 'vitest';
import { hostBinaryPaths, imagePath, parseMetadata } from './metadata.js';

describe('extension metadata.json', () => {
  it('reads the sections Docker Desktop defines and this OS\'s host binaries', () => {
    const m = parseMetadata(JSON.stringify({
      icon: 'docker.svg',
      ui: { 'dashboard-tab': { title: 'T', root: '/ui', src: 'index.html', backend: { socket: 's.sock' } } },
      vm: { image: '${DESKTOP_PLUGIN_IMAGE}', exposes: { socket: 's.sock' } },
      host: { binaries: [{ linux: [{ path: '/linux/k' }], darwin: [{ path: '/darwin/k' }] }, { linux: [{ path: '/linux/j' }] }] },
    }));
    expect(m.ui?.['dashboard-tab']?.backend?.socket).toBe('s.sock');
    expect(hostBinaryPaths(m, 'linux')).toEqual(['/linux/k', '/linux/j']);
    expect(hostBinaryPaths(m, 'windows')).toEqual([]);
  });
  it('says which field is wrong', () => {
    expect(() => parseMetadata('{')).toThrow(/not valid JSON/);
    expect(() => parseMetadata('{"vm":{}}')).toThrow('vm must hold exactly one of image or composefile');
    expect(() => parseMetadata('{"ui":{"dashboard-tab":{"title":"T","root":"/ui"}}}')).toThrow('ui.dashboard-tab.src must be a non-empty string');
    expect(() => parseMetadata('{"vm":{"image":"x","exposes":{"socket":"../x"}}}')).toThrow(/must be a file name/);
  });
  it('normalises image paths and refuses ones leaving the root', () => {
    expect(imagePath('ui')).toBe('/ui');
    expect(imagePath('./ui/')).toBe('/ui');
    expect(() => imagePath('/ui/../../etc')).toThrow(/leaves the image root/);
  });
});
