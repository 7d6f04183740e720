import { describe, expect, it } from 'vitest';
import type { ImageRow } from '../../../shared/types.js';
import { prunedImages } from './images.js';
import { inVolume, isHelperContainer, volumeDir } from './volume-browser.js';

describe('volume browser paths', () => {
  it('maps volume paths into the helper, clamped to the volume', () => {
    expect(inVolume('/')).toBe('/volume');
    expect(inVolume('')).toBe('/volume');
    expect(inVolume('/sub/')).toBe('/volume/sub');
    expect(inVolume('a.txt')).toBe('/volume/a.txt');
    expect(inVolume('/../../etc/passwd')).toBe('/volume/etc/passwd');
    expect(volumeDir('sub/')).toBe('/sub');
    expect(volumeDir('/')).toBe('/');
  });

  it('knows its helpers by label', () => {
    expect(isHelperContainer({ 'com.berth.volume-browser': 'data' })).toBe(true);
    expect(isHelperContainer({ 'com.docker.compose.project': 'x' })).toBe(false);
    expect(isHelperContainer(null)).toBe(false);
  });
});

describe('prunedImages', () => {
  const row = (id: string, tags: string[]): ImageRow => ({ id, tags, digests: [], size: 1, created: 0, containers: 0 });

  it('names each removed image by its tags, else its short ID, and ignores layer IDs', () => {
    const before = [row('sha256:aaaaaaaaaaaaaaaa', []), row('sha256:bbbb', ['busybox:old', 'busybox:older']), row('sha256:cccc', ['keep:1'])];
    const res = prunedImages(before, [
      { Untagged: 'busybox:old' }, { Untagged: 'busybox:older' }, { Deleted: 'sha256:bbbb' },
      { Deleted: 'sha256:aaaaaaaaaaaaaaaa' }, { Deleted: 'sha256:layer0' }, { Untagged: 'busybox@sha256:1234' },
    ], 4096);
    expect(res).toEqual({ deleted: 2, spaceReclaimed: 4096, removed: ['aaaaaaaaaaaa', 'busybox:old', 'busybox:older'] });
  });
});
