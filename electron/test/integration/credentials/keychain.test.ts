// The OS-keychain CredentialStore against a real Secret Service (gnome-keyring-daemon on a private D-Bus session,
// unlocked with a test password), and the docker-credential-berth binary over it.
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialStoreConformance } from '../../../src/host/credentials/conformance.test-helper.js';
import { KEYCHAIN_SERVICE, OsKeychainStore } from '../../../src/host/credentials/os-keychain.js';
import { keyringUnavailable, startCredentialService, startKeyring, type TestKeyring } from '../../../../scripts/src/testrig/index.js';
import { SECRET_TOOL } from '../../../../scripts/src/testrig/keyring.js';
import { runHelper } from './helper-bin.js';

const noKeyring = process.platform === 'linux' ? keyringUnavailable() : 'the Secret Service backend runs on Linux';
if (noKeyring) console.warn(`skipping the Secret Service tests: ${noKeyring}`);

describe.skipIf(!!noKeyring)(`Secret Service (gnome-keyring) backend${noKeyring ? ` (skipped: ${noKeyring})` : ''}`, () => {
  let keyring: TestKeyring;
  let home: string;
  let env: NodeJS.ProcessEnv;
  const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;
  const onlyNode = mkdtempSync(path.join(os.tmpdir(), 'berth-path-node-'));
  const onlySecretTool = mkdtempSync(path.join(os.tmpdir(), 'berth-path-secret-tool-'));
  const nodeOnly = () => ({ ...env, PATH: onlyNode });
  const secretToolOnly = () => ({ ...env, PATH: onlySecretTool });

  beforeAll(async () => {
    keyring = await startKeyring();
    // The library reads the session bus address from the environment of this process.
    process.env.DBUS_SESSION_BUS_ADDRESS = keyring.env.DBUS_SESSION_BUS_ADDRESS;
    home = mkdtempSync(path.join(os.tmpdir(), 'berth-home-'));
    env = { ...process.env, BERTH_HOME: home, ...keyring.env };
    // A PATH with only one of the two ways the launcher answers `get` without Berth (bash + secret-tool, or Node):
    // then which one answered is certain, since the other cannot run.
    for (const [dir, target, name] of [[onlyNode, process.execPath, 'node'], [onlySecretTool, SECRET_TOOL, 'secret-tool']] as const) symlinkSync(target, path.join(dir, name));
  });
  afterAll(async () => {
    if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
    await keyring?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
    for (const dir of [onlyNode, onlySecretTool]) rmSync(dir, { recursive: true, force: true });
  });

  describe('CredentialStore conformance', () => {
    credentialStoreConformance(() => new OsKeychainStore());
  });

  // With secret-tool on PATH, `get` is answered by bash and secret-tool; with Node alone, by the Node helper.
  it.each([['secret-tool and Node on PATH', () => env], ['Node alone on PATH', nodeOnly]])('docker-credential-berth keeps the secret in the keyring and only the user name in Berth state (%s)', async (_name, envFor) => {
    const env = envFor();
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
    const res = await runHelper('get', '127.0.0.1:5999', { ...nodeOnly(), NODE_EXTRA_CA_CERTS: path.join(home, 'no-such-ca-bundle.pem') });
    expect(res).toMatchObject({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
  });

  describe('get and list answered by the running Berth host process (the launcher\'s fast path)', () => {
    const server = 'fast.example:5000';
    const secret = 'fa\\st "s3cret" <é>';
    const answer = `{"ServerURL":"${server}","Username":"bob","Secret":"fa\\\\st \\"s3cret\\" \\u003cé\\u003e"}\n`;
    // No node on PATH: only the host process can answer; the launcher's Node fallback would fail with 127.
    const noNode = () => ({ ...env, PATH: mkdtempSync(path.join(home, 'empty-path-')) });

    it('answers exactly what the Node helper answers, with no Node start; the service file is 0600 and goes with the process', async () => {
      expect(await runHelper('store', JSON.stringify({ ServerURL: server, Username: 'bob', Secret: secret }), env)).toMatchObject({ code: 0, stdout: '' });
      const fromNode = await runHelper('get', server, env);
      expect(fromNode).toEqual({ code: 0, stdout: answer, stderr: '' });
      expect(await runHelper('get', server, noNode())).toMatchObject({ code: 127 });

      const service = await startCredentialService(env);
      try {
        expect(statSync(service.file).mode & 0o777).toBe(0o600);
        expect(readFileSync(service.file, 'utf8')).not.toContain('s3cret');
        expect(await runHelper('get', `${server}\n`, noNode())).toEqual({ code: 0, stdout: answer, stderr: '' });
        expect(await runHelper('get', 'other.example', noNode())).toEqual({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
        expect(await runHelper('get', '', noNode())).toEqual({ code: 1, stdout: 'no credentials server URL\n', stderr: '' });
        expect(await runHelper('list', 'unused', noNode())).toEqual({ code: 0, stdout: `{"${server}":"bob"}\n`, stderr: '' });
        // Read from the keychain on each request, never cached: an erase by the Node helper is seen at once.
        expect(await runHelper('erase', server, env)).toMatchObject({ code: 0, stdout: '' });
        expect(await runHelper('get', server, noNode())).toEqual({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
        // Writes never go to the service.
        expect(await runHelper('store', JSON.stringify({ ServerURL: server, Username: 'bob', Secret: secret }), noNode())).toMatchObject({ code: 127 });
      } finally {
        await service.stop();
      }
      expect(() => statSync(service.file)).toThrow(/ENOENT/);
    });

    it('falls back to the Node helper, input intact, when the service file is stale, its token wrong or its port someone else\'s', async () => {
      expect(await runHelper('store', JSON.stringify({ ServerURL: server, Username: 'bob', Secret: secret }), env)).toMatchObject({ code: 0 });
      const file = path.join(home, 'run', 'credential-helper');
      // Answers and closes at once: the launcher may still be writing its request then (a reset, not an error here).
      const foreign = net.createServer((s) => s.on('error', () => undefined).end('HTTP/1.1 400 Bad Request\r\n\r\n'));
      await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
      const service = await startCredentialService(env);
      const [, token] = readFileSync(service.file, 'utf8').trim().split(' ');
      try {
        const port = (foreign.address() as net.AddressInfo).port;
        for (const stale of [`${port} ${token}\n`, `${(await freePort())} ${token}\n`, `${readFileSync(service.file, 'utf8').split(' ')[0]} ${'0'.repeat(64)}\n`, 'garbage\n']) {
          writeFileSync(file, stale, { mode: 0o600 });
          expect(await runHelper('get', server, noNode()), stale).toMatchObject({ code: 127 });
          expect(await runHelper('get', server, env), stale).toEqual({ code: 0, stdout: answer, stderr: '' });
          expect(await runHelper('list', '', env), stale).toEqual({ code: 0, stdout: `{"${server}":"bob"}\n`, stderr: '' });
        }
      } finally {
        await service.stop();
        foreign.close();
        await runHelper('erase', server, env);
      }
    });
  });

  describe('get with no Berth running: bash and secret-tool where they can answer exactly, else the Node helper', () => {
    const logins = [
      { ServerURL: 'plain.example:5000', Username: 'carol', Secret: "p@ss w*rd $HOME;`id`'x" },
      { ServerURL: 'https://Mixed.Example/v2/', Username: 'dave smith', Secret: 'tok-123' },
      // Characters Go's JSON encoder escapes, and UTF-8: left to Node.
      { ServerURL: 'escaped.example', Username: 'erin', Secret: 'a<b>&"c\\d' },
      { ServerURL: 'utf8.example', Username: 'frédéric', Secret: 'plain' },
    ];
    const index = () => path.join(home, 'credentials.json');

    beforeAll(async () => {
      for (const login of logins) expect(await runHelper('store', JSON.stringify(login), nodeOnly())).toMatchObject({ code: 0, stdout: '' });
    });
    afterAll(async () => {
      for (const login of logins) await runHelper('erase', login.ServerURL, nodeOnly());
    });

    it('answers as the Node helper does, byte for byte, and hands it what it cannot', async () => {
      const answeredByBash = [
        'plain.example:5000', '  plain.example:5000\n', 'https://PLAIN.example:5000/', 'http://plain.example:5000//',
        'mixed.example/v2', 'HTTPS://MIXED.example/v2/', 'unknown.example', 'https://index.docker.io/v1/', 'Plain.Example:5000/other',
      ];
      for (const input of answeredByBash) {
        const fromNode = await runHelper('get', input, nodeOnly());
        expect(fromNode.stderr, input).toBe('');
        expect(await runHelper('get', input, secretToolOnly()), input).toEqual(fromNode);
        expect(await runHelper('get', input, env), input).toEqual(fromNode);
      }
      expect(await runHelper('get', 'plain.example:5000', secretToolOnly())).toEqual({
        code: 0, stdout: `{"ServerURL":"plain.example:5000","Username":"carol","Secret":"p@ss w*rd $HOME;\`id\`'x"}\n`, stderr: '',
      });
      expect(await runHelper('get', 'unknown.example', secretToolOnly())).toEqual({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
      // Escapes, UTF-8 (the input or a stored string), an empty input: Node answers (127: not on this PATH).
      for (const input of ['escaped.example', 'utf8.example', 'plaïn.example', '', ' \n']) {
        expect(await runHelper('get', input, secretToolOnly()), input).toMatchObject({ code: 127 });
        const fromNode = await runHelper('get', input, nodeOnly());
        expect(await runHelper('get', input, env), input).toEqual(fromNode);
      }
      expect((await runHelper('get', 'escaped.example', env)).stdout).toBe('{"ServerURL":"escaped.example","Username":"erin","Secret":"a\\u003cb\\u003e\\u0026\\"c\\\\d"}\n');
    });

    it('leaves to Node an index in another layout, a listed login with no keychain item, or no session bus', async () => {
      const canonical = readFileSync(index(), 'utf8');
      try {
        writeFileSync(index(), JSON.stringify(JSON.parse(canonical)));
        expect(await runHelper('get', 'plain.example:5000', secretToolOnly())).toMatchObject({ code: 127 });
        expect(await runHelper('get', 'plain.example:5000', env)).toMatchObject({ code: 0, stdout: expect.stringContaining('"Username":"carol"') });
        writeFileSync(index(), '{\n  "version": 1,\n  "registries": {}\n}\n');
        expect(await runHelper('get', 'plain.example:5000', secretToolOnly())).toEqual({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
        rmSync(index());
        expect(await runHelper('get', 'plain.example:5000', secretToolOnly())).toEqual({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
      } finally {
        writeFileSync(index(), canonical);
      }
      expect(await runHelper('get', 'plain.example:5000', { ...secretToolOnly(), DBUS_SESSION_BUS_ADDRESS: '' })).toMatchObject({ code: 127 });
      // Listed, but its keychain item gone (removed behind Berth's back): secret-tool finds nothing, Node says so.
      await keyring.secretTool(['clear', 'service', KEYCHAIN_SERVICE, 'username', 'plain.example:5000']);
      expect(await runHelper('get', 'plain.example:5000', secretToolOnly())).toMatchObject({ code: 127 });
      expect(await runHelper('get', 'plain.example:5000', env)).toEqual({ code: 1, stdout: 'credentials not found in native keychain\n', stderr: '' });
    });
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

/** A loopback port nobody listens on (just freed). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('macOS Keychain and Windows Credential Manager backends', () => {
  it('macOS Keychain', (ctx) => {
    if (process.platform !== 'darwin') ctx.skip('the macOS Keychain conformance runs on macOS only');
  });
  it('Windows Credential Manager', (ctx) => {
    if (process.platform !== 'win32') ctx.skip('the Windows Credential Manager conformance runs on Windows only');
  });
});
