import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cachedPackage, ensureDebianPackages, upstreamMatches } from './debian-packages.js';

const made: string[] = [];
const tempCache = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-toolchain-'));
  made.push(dir);
  return dir;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('Debian package pins', () => {
  it('match any Debian revision and repack suffix of the pinned upstream version, nothing else', () => {
    expect(upstreamMatches('26.1.5+dfsg1-9+deb13u1+b1', '26.1.5')).toBe(true);
    expect(upstreamMatches('1.6.20~ds1-1+deb12u3', '1.6.20')).toBe(true);
    expect(upstreamMatches('2.26.1-4', '2.26.1')).toBe(true);
    expect(upstreamMatches('1:2.26.1-4', '2.26.1')).toBe(true);
    expect(upstreamMatches('26.1.50-1', '26.1.5')).toBe(false);
    expect(upstreamMatches('27.0.1+dfsg1-1', '26.1.5')).toBe(false);
    expect(upstreamMatches('2.26.1', '2.26')).toBe(false);
  });

  it('are served from the cache without apt when unpacked before (a second run costs nothing)', () => {
    const cache = tempCache();
    const dir = path.join(cache, 'docker-cli-26.1.5');
    mkdirSync(dir);
    const marker = { name: 'docker-cli', upstream: '26.1.5', version: '26.1.5+dfsg1-9', suite: 'trixie' };
    writeFileSync(path.join(dir, '.berth-debian-package.json'), JSON.stringify(marker));
    // A source list that could not be fetched from: only a cache hit succeeds.
    const nowhere = { name: 'nowhere', sources: ['deb http://127.0.0.1:9/debian nowhere main'] };
    const [got] = ensureDebianPackages(nowhere, [{ name: 'docker-cli', upstream: '26.1.5' }], { cacheDir: cache });
    expect(got).toEqual({ ...marker, dir });
    expect(cachedPackage(cache, { name: 'docker-cli', upstream: '27.0.0' })).toBeUndefined();
  });

  it('fail with what apt said when the archive cannot be reached', () => {
    const cache = tempCache();
    const nowhere = { name: 'nowhere', sources: ['deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://127.0.0.1:9/debian nowhere main'] };
    expect(() => ensureDebianPackages(nowhere, [{ name: 'docker-cli', upstream: '26.1.5' }], { cacheDir: cache, aptOptions: ['Acquire::Retries=0'] })).toThrow(
      /apt-get update for Debian nowhere \(is deb\.debian\.org reachable\?\) failed/,
    );
  });
});
