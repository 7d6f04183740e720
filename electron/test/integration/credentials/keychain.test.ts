// The OS-keychain CredentialStore against a real Secret Service (gnome-keyring-daemon on a private D-Bus session,
// unlocked with a test password), and the docker-credential-berth binary over it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialStoreConformance } from '../../../src/host/credentials/conformance.test-helper.js';
import { KEYCHAIN_SERVICE, OsKeychainStore } from '../../../src/host/credentials/os-keychain.js';
import { keyringUnavailable, startKeyring, type TestKeyring } from '../../../../scripts/src/testrig/index.js';
import { runHelper } from './helper-bin.js';

const noKeyring = process.platform === 'linux' ? keyringUnavailable() : 'the Secret Service backend runs on Linux';
if (noKeyring) console.warn(`skipping the Secret Service tests: ${noKeyring}`);

describe.skipIf(!!noKeyring)(`Secret Service (gnome-keyring) backend${noKeyring ? ` (skipped: ${noKeyring})` : ''}`, () => {
  let keyring: TestKeyring;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;

  beforeAll(async () => {
    keyring = await startKeyring();
    // The library reads the session bus address from the environment of this process.
    process.env.DBUS_SESSION_BUS_ADDRESS = keyring.env.DBUS_SESSION_BUS_ADDRESS;
    home = mkdtempSync(path.join(os.tmpdir(), 'berth-home-'));
    env = { ...process.env, BERTH_HOME: home, ...keyring.env };
  });
  afterAll(async () => {
    if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
    await keyring?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  describe('CredentialStore conformance', () => {
    credentialStoreConformance(() => new OsKeychainStore());
  });

  it('docker-credential-berth keeps the secret in the keyring and only the user name in Berth state', async () => {
    const store = await runHelper('store', '{"ServerURL":"127.0.0.1:5999","Username":"alice","Secret":"kr-s3cret"}', env);
    expect(store).toMatchObject({ code: 0, stdout: '' });
    const found = await keyring.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE]);
    expect(found).toContain('kr-s3cret');
    expect(readFileSync(path.join(home, 'credentials.json'), 'utf8')).not.toContain('kr-s3cret');

    expect(await runHelper('get', '127.0.0.1:5999\n', env)).toMatchObject({ code: 0, stdout: '{"ServerURL":"127.0.0.1:5999","Username":"alice","Secret":"kr-s3cret"}\n' });
    expect(await runHelper('list', 'unused', env)).toMatchObject({ code: 0, stdout: '{"127.0.0.1:5999":"alice"}\n' });
    expect(await runHelper('erase', '127.0.0.1:5999', env)).toMatchObject({ code: 0, stdout: '' });
    expect(await keyring.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE])).not.toContain('kr-s3cret');
    expect(await runHelper('get', '127.0.0.1:5999', env)).toMatchObject({ code: 1, stdout: 'credentials not found in native keychain\n' });
  });

  it('starts without reading NODE_EXTRA_CA_CERTS (no TLS in the helper; Node 20 would parse the bundle first)', async () => {
    // Node warns on stderr about a CA file it cannot load: silence means the variable never reached it.
    const res = await runHelper('get', '127.0.0.1:5999', { ...env, NODE_EXTRA_CA_CERTS: path.join(home, 'no-such-ca-bundle.pem') });
    expect(res).toMatchObject({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
  });

  it('with no keychain reachable, store fails clearly with exit 1 and nothing is written', async () => {
    const bare = { ...env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(home, 'no-bus')}` };
    const res = await runHelper('store', '{"ServerURL":"nokeychain.example","Username":"u","Secret":"plain-never"}', bare);
    expect(res.code).toBe(1);
    expect(res.stdout).toMatch(/^the OS keychain \(secret-service\) is not reachable: .*never in plain text\n$/);
    expect(readFileSync(path.join(home, 'credentials.json'), 'utf8')).not.toContain('nokeychain.example');
    const unset = { ...env };
    delete unset.DBUS_SESSION_BUS_ADDRESS;
    unset.XDG_RUNTIME_DIR = path.join(home, 'no-runtime');
    const res2 = await runHelper('store', '{"ServerURL":"nokeychain.example","Username":"u","Secret":"plain-never"}', unset);
    expect(res2).toMatchObject({ code: 1 });
    expect(res2.stdout).toContain('no D-Bus session bus');
  });
});

describe('macOS Keychain and Windows Credential Manager backends', () => {
  it('macOS Keychain', (ctx) => {
    if (process.platform !== 'darwin') ctx.skip('the macOS Keychain conformance runs on macOS only');
  });
  it('Windows Credential Manager', (ctx) => {
    if (process.platform !== 'win32') ctx.skip('the Windows Credential Manager conformance runs on Windows only');
  });
});
