import { describe, expect, it } from 'vitest';
import { berthPaths } from './paths.js';

describe('berthPaths', () => {
  it('keeps everything under BERTH_HOME with the docker socket in run/', () => {
    const p = berthPaths({ BERTH_HOME: '/tmp/bh' }, 'linux');
    expect(p.dockerSocket).toBe('/tmp/bh/run/docker.sock');
    expect(p.settings).toBe('/tmp/bh/settings.json');
  });
  it('uses the berth_engine named pipe on Windows', () => {
    expect(berthPaths({ BERTH_HOME: 'C:\\b' }, 'win32').dockerSocket).toBe('\\\\.\\pipe\\berth_engine');
  });
});
