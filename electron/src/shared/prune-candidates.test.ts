import { describe, expect, it } from 'vitest';
import type { ImageRow, VolumeRow } from './types.js';
import { imagePruneCandidates, totalSize, volumePruneCandidates } from './prune-candidates.js';

const vol = (name: string, usedBy: string[], anonymous: boolean): VolumeRow => ({
  name, driver: 'local', mountpoint: `/v/${name}`, labels: anonymous ? { 'com.docker.volume.anonymous': '' } : {}, size: 10, usedBy,
});
const img = (id: string, tags: string[], containers: number, size = 100): ImageRow => ({ id, tags, digests: [], size, created: 0, containers });

describe('prune candidates', () => {
  const volumes = [vol('anon-free', [], true), vol('anon-used', ['web'], true), vol('named-free', [], false), vol('named-used', ['db'], false)];

  it('volumes: anonymous unused ones by default, every unused one with all', () => {
    expect(volumePruneCandidates(volumes, false).map((v) => v.name)).toEqual(['anon-free']);
    expect(volumePruneCandidates(volumes, true).map((v) => v.name)).toEqual(['anon-free', 'named-free']);
  });

  it('images: untagged unused ones when dangling, every unused one otherwise', () => {
    const images = [img('a', [], 0), img('b', ['busybox:old'], 0), img('c', [], 2), img('d', ['nginx:1'], 1), img('e', ['x:1'], -1)];
    expect(imagePruneCandidates(images, true).map((i) => i.id)).toEqual(['a']);
    expect(imagePruneCandidates(images, false).map((i) => i.id)).toEqual(['a', 'b', 'e']);
    expect(totalSize(imagePruneCandidates(images, false))).toBe(300);
  });
});
