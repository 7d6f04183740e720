import { describe, expect, it } from 'vitest';
import { buildOptionsFromAttrs } from './frontend-opts.js';

describe('dockerfile.v0 frontend attrs', () => {
  it('maps build args, labels, target, pull, no-cache, network and hosts as buildx sends them', () => {
    const o = buildOptionsFromAttrs({
      filename: 'app.Dockerfile',
      'build-arg:A': '1',
      'label:org.x': 'y',
      target: 'final',
      'image-resolve-mode': 'pull',
      'no-cache': '',
      'force-network-mode': 'host',
      'add-hosts': 'db=10.0.0.2,cache=10.0.0.3',
    });
    expect(o).toMatchObject({ dockerfile: 'app.Dockerfile', labels: { 'org.x': 'y' }, target: 'final', pull: true, noCache: true, networkMode: 'host', extraHosts: ['db:10.0.0.2', 'cache:10.0.0.3'] });
    expect(o.buildArgs.get('A')).toBe('1');
  });

  it('defaults to prefer-local images, cache on, and refuses a platform list', () => {
    expect(buildOptionsFromAttrs({ filename: 'Dockerfile', 'image-resolve-mode': 'local' })).toMatchObject({ pull: false, noCache: false });
    expect(() => buildOptionsFromAttrs({ platform: 'linux/amd64,linux/arm64' })).toThrow(/multi-platform/);
  });
});
