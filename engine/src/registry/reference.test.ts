import { describe, expect, it } from 'vitest';
import { decodeRegistryAuth, parseChallenges } from './auth.js';
import { endpointsFor, isInsecure } from './hosts.js';
import { canonicalString, familiarString, parseReference, withDefaultTag } from './reference.js';

describe('parseReference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['library/busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['index.docker.io/foo/bar', 'docker.io/foo/bar:latest', 'foo/bar:latest'],
    ['127.0.0.1:5000/berth-test/busybox:oci', '127.0.0.1:5000/berth-test/busybox:oci', '127.0.0.1:5000/berth-test/busybox:oci'],
    ['localhost/x', 'localhost/x:latest', 'localhost/x:latest'],
  ])('normalises %s', (input, canonical, familiar) => {
    const ref = withDefaultTag(parseReference(input));
    expect(canonicalString(ref)).toBe(canonical);
    expect(familiarString(ref)).toBe(familiar);
  });

  it('keeps digests and rejects what dockerd rejects, with its words', () => {
    const d = `sha256:${'a'.repeat(64)}`;
    expect(parseReference(`busybox@${d}`)).toEqual({ domain: 'docker.io', path: 'library/busybox', digest: d });
    expect(() => parseReference('Busybox')).toThrow('invalid reference format: repository name (library/Busybox) must be lowercase');
    expect(() => parseReference('a'.repeat(64))).toThrow(/cannot specify 64-byte hexadecimal strings/);
    expect(() => parseReference('busybox:bad tag')).toThrow('invalid reference format');
  });
});

describe('registry auth and hosts', () => {
  it('decodes X-Registry-Auth in base64url and standard base64, and treats {} as anonymous', () => {
    const json = JSON.stringify({ username: 'u', password: 'p?>', serveraddress: 'h' });
    expect(decodeRegistryAuth(Buffer.from(json).toString('base64url'))).toMatchObject({ username: 'u', password: 'p?>' });
    expect(decodeRegistryAuth(Buffer.from(json).toString('base64'))).toMatchObject({ username: 'u' });
    expect(decodeRegistryAuth('e30=')).toBeUndefined();
    expect(decodeRegistryAuth(Buffer.from(JSON.stringify({ auth: Buffer.from('a:b').toString('base64') })).toString('base64'))).toMatchObject({ username: 'a', password: 'b' });
  });

  it('parses Bearer and Basic challenges', () => {
    expect(parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' } },
    ]);
    expect(parseChallenges('Basic realm="Registry Realm"')).toEqual([{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  });

  it('treats loopback and --insecure-registry entries as insecure, and sends Hub pulls to mirrors first', () => {
    const cfg = { insecureRegistries: ['10.0.0.0/8', 'reg.local:5000'], registryMirrors: ['https://mirror.example'] };
    expect(isInsecure('127.0.0.1:5000', cfg)).toBe(true);
    expect(isInsecure('10.1.2.3:443', cfg)).toBe(true);
    expect(isInsecure('reg.local:5000', cfg)).toBe(true);
    expect(isInsecure('example.com', cfg)).toBe(false);
    expect(endpointsFor('127.0.0.1:5000', cfg).map((e) => e.base.href)).toEqual(['https://127.0.0.1:5000/', 'http://127.0.0.1:5000/']);
    expect(endpointsFor('docker.io', cfg).map((e) => e.base.href)).toEqual(['https://mirror.example/', 'https://registry-1.docker.io/']);
    expect(endpointsFor('docker.io', cfg, { push: true }).map((e) => e.base.href)).toEqual(['https://registry-1.docker.io/']);
  });
});
