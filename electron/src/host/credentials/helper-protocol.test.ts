import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KeychainUnavailable, type CredentialStore } from './credential-store.js';
import { CredentialIndex } from './credential-index.js';
import { ERR_NOT_FOUND, runHelperAction } from './helper-protocol.js';
import { MemoryCredentialStore } from './memory-store.js';
import { RegistryCredentials } from './registry-credentials.js';

describe('docker credential-helper protocol', () => {
  let dir: string;
  let store: MemoryCredentialStore;
  let creds: () => RegistryCredentials;
  const act = (action: string, input = '') => runHelperAction(action, input, creds, '1.2.3');

  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'berth-helper-'));
    store = new MemoryCredentialStore();
    creds = () => new RegistryCredentials(store, new CredentialIndex(path.join(dir, 'credentials.json')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('stores, gets, lists and erases with the exact JSON shapes', async () => {
    expect(await act('store', '{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"s3cret"}\n')).toEqual({ stdout: '', code: 0 });
    expect(await act('get', '127.0.0.1:5000\n')).toEqual({ stdout: '{"ServerURL":"127.0.0.1:5000","Username":"alice","Secret":"s3cret"}\n', code: 0 });
    expect(await act('list', 'unused')).toEqual({ stdout: '{"127.0.0.1:5000":"alice"}\n', code: 0 });
    expect(await act('erase', '127.0.0.1:5000')).toEqual({ stdout: '', code: 0 });
    expect(await act('list')).toEqual({ stdout: '{}\n', code: 0 });
  });

  it('answers the not-found text clients compare exactly, with exit status 1', async () => {
    expect(await act('get', 'nowhere.example')).toEqual({ stdout: `${ERR_NOT_FOUND}\n`, code: 1 });
    expect(await act('erase', 'nowhere.example')).toEqual({ stdout: `${ERR_NOT_FOUND}\n`, code: 1 });
  });

  it('keeps the secret out of the index file', async () => {
    await act('store', '{"ServerURL":"https://index.docker.io/v1/","Username":"bob","Secret":"never-on-disk"}');
    expect(readFileSync(path.join(dir, 'credentials.json'), 'utf8')).not.toContain('never-on-disk');
    expect(await store.get('index.docker.io/v1')).toBe('never-on-disk');
  });

  it('finds a login whatever form of the server URL the client sends', async () => {
    await act('store', '{"ServerURL":"registry.example:5000","Username":"u","Secret":"p"}');
    const got = await act('get', 'https://registry.example:5000/');
    expect(JSON.parse(got.stdout)).toEqual({ ServerURL: 'https://registry.example:5000/', Username: 'u', Secret: 'p' });
  });

  it('escapes <token> as Go does and matches field names without regard to case', async () => {
    await act('store', '{"serverurl":"login.example","username":"<token>","secret":"refresh-token"}');
    expect((await act('get', 'login.example')).stdout).toBe('{"ServerURL":"login.example","Username":"\\u003ctoken\\u003e","Secret":"refresh-token"}\n');
  });

  it('refuses missing fields with the standard messages', async () => {
    expect(await act('store', '{"Username":"u","Secret":"p"}')).toEqual({ stdout: 'no credentials server URL\n', code: 1 });
    expect(await act('store', '{"ServerURL":"h","Secret":"p"}')).toEqual({ stdout: 'no credentials username\n', code: 1 });
    expect(await act('get', '  \n')).toEqual({ stdout: 'no credentials server URL\n', code: 1 });
    expect(await act('erase', '')).toEqual({ stdout: 'no credentials server URL\n', code: 1 });
    expect((await act('store', 'not json')).code).toBe(1);
  });

  it('answers version and unknown actions like the Go helpers', async () => {
    expect(await act('version')).toEqual({ stdout: 'docker-credential-berth (berth) 1.2.3\n', code: 0 });
    expect(await act('frobnicate')).toEqual({ stdout: 'docker-credential-berth: unknown action: frobnicate\n', code: 1 });
  });

  it('fails with the keychain error, and stores nothing anywhere, when no keychain is reachable', async () => {
    const broken: CredentialStore = {
      backend: 'secret-service',
      set: () => Promise.reject(new KeychainUnavailable('secret-service', 'no D-Bus session bus')),
      get: () => Promise.reject(new KeychainUnavailable('secret-service', 'no D-Bus session bus')),
      delete: () => Promise.reject(new KeychainUnavailable('secret-service', 'no D-Bus session bus')),
    };
    creds = () => new RegistryCredentials(broken, new CredentialIndex(path.join(dir, 'credentials.json')));
    const res = await act('store', '{"ServerURL":"h","Username":"u","Secret":"p"}');
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^the OS keychain \(secret-service\) is not reachable: no D-Bus session bus\. .*never in plain text\n$/);
    expect(await act('list')).toEqual({ stdout: '{}\n', code: 0 });
  });
});
