// The launchers of packaged macOS/Linux apps for Berth's own Node tools (docker-credential-berth, the docker-extension
// CLI plugin), run here in a packaged app's layout with a stand-in for the app binary (a script that, like Electron
// with ELECTRON_RUN_AS_NODE=1, is Node) and the checkout's real scripts, the plugin through the real docker CLI.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../testrig/paths.js';
import { bundledDockerBinary } from '../testrig/toolchain.js';
import { cmdLauncher, writeAppNodeLaunchers } from './app-node-launchers.js';
import { CREDENTIAL_HELPER_FAST_PATH } from './credential-helper-fast-path.js';

const BUNDLE = path.join(repoRoot, 'electron', 'dist', 'cli', 'docker-credential-berth.cjs');

describe("the packaged app's launchers for its Node tools", () => {
  let root: string;
  let userBin: string;
  let userPlugins: string;
  let dockerConfig: string;
  beforeAll(() => {
    if (!existsSync(BUNDLE)) spawnSync(path.join(repoRoot, 'scripts', 'bundle-credential-helper.sh'), { stdio: 'inherit' });
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-launcher-'));
    const install = path.join(root, 'opt', 'Berth');
    const resources = path.join(install, 'resources');
    // The app binary: Node only when asked to be, as Electron.
    writeFileSync(path.join(mkdirp(install), 'berth'), `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo 'not as node' >&2; exit 9; }\nexec "${process.execPath}" "$@"\n`);
    chmodSync(path.join(install, 'berth'), 0o755);
    // app.asar stands in as a folder (Electron reads the archive as one): the app's package.json, its bin/ and its
    // dist/ (the checkout's, so the plugin's imports resolve as in the app).
    const asar = mkdirp(path.join(resources, 'app.asar'));
    copyFileSync(path.join(repoRoot, 'electron', 'package.json'), path.join(asar, 'package.json'));
    copyFileSync(path.join(repoRoot, 'electron', 'bin', 'docker-extension'), path.join(mkdirp(path.join(asar, 'bin')), 'docker-extension'));
    symlinkSync(path.join(repoRoot, 'electron', 'dist'), path.join(asar, 'dist'));
    const launchers = writeAppNodeLaunchers(path.join(resources, 'tools'), 'linux');
    expect(launchers.map((f) => path.relative(resources, f))).toEqual(['tools/bin/docker-credential-berth', 'tools/cli-plugins/docker-extension']);
    // As setUpHostTools links them: ~/.berth/bin/docker-credential-berth → <resources>/tools/bin/…, and the plugin in
    // ~/.berth/cli-plugins, which config.json's cliPluginsExtraDirs names.
    userBin = mkdirp(path.join(root, 'home', '.berth', 'bin'));
    symlinkSync(launchers[0]!, path.join(userBin, 'docker-credential-berth'));
    userPlugins = mkdirp(path.join(root, 'home', '.berth', 'cli-plugins'));
    symlinkSync(launchers[1]!, path.join(userPlugins, 'docker-extension'));
    dockerConfig = mkdirp(path.join(root, 'home', '.docker'));
    writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [userPlugins] }));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const run = (action: string, input = '') =>
    spawnSync(path.join(userBin, 'docker-credential-berth'), [action], { input, encoding: 'utf8', env: {
        PATH: '/usr/bin:/bin',
        BERTH_HOME: path.join(root, 'home', '.berth'),
        // Node would warn about this file on stderr if the launcher let it through (it drops the variable).
        NODE_EXTRA_CA_CERTS: path.join(root, 'no-such-ca-bundle.pem'),
      },
    });

  it('finds the app through the link and runs the helper as Node, without NODE_EXTRA_CA_CERTS', () => {
    const v = run('version');
    expect(v.stderr).toBe('');
    expect(v.stdout).toBe('docker-credential-berth (berth) 0.1.0\n');
    expect(v.status).toBe(0);
  }, 60_000);

  it('speaks the protocol: an unknown server is "credentials not found" with exit 1, without asking the keychain', () => {
    const g = run('get', 'registry.example:5000\n');
    expect(g.stdout).toBe('credentials not found in native keychain\n');
    expect(g.status).toBe(1);
    expect(run('list').stdout).toBe('{}\n');
  });

  it('`docker extension` runs the packaged plugin through cliPluginsExtraDirs, with the real docker CLI', () => {
    const env = { PATH: '/usr/bin:/bin', HOME: path.join(root, 'home'), DOCKER_CONFIG: dockerConfig, BERTH_HOME: path.join(root, 'home', '.berth') };
    const help = spawnSync(bundledDockerBinary(), ['--help'], { env, encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^\s+extension\*\s+Manages Docker extensions$/m);
    const v = spawnSync(bundledDockerBinary(), ['extension', 'version'], { env, encoding: 'utf8' });
    expect(v.stderr).toBe('');
    expect(v.stdout).toMatch(/^Client Version: v0\.1\.0\nServer API Version: /);
    expect(v.status).toBe(0);
  });

  it('macOS finds Contents/MacOS/Berth from Contents/Resources', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-launcher-mac-'));
    try {
      const [helper, plugin] = writeAppNodeLaunchers(path.join(dir, 'Resources', 'tools'), 'darwin');
      expect(spawnSync('bash', ['-n', helper!]).status).toBe(0);
      expect(spawnSync('sh', ['-n', plugin!]).status).toBe(0);
      expect(helper).toBe(path.join(dir, 'Resources', 'tools', 'bin', 'docker-credential-berth'));
      expect(readFileSync(helper!, 'utf8')).toMatch(/^#!\/bin\/bash\n# docker-credential-berth: .*\n/);
      expect(readFileSync(helper!, 'utf8')).toContain(`\n${CREDENTIAL_HELPER_FAST_PATH}self=$0\n`);
      expect(readFileSync(helper!, 'utf8')).toContain('unset NODE_EXTRA_CA_CERTS\nELECTRON_RUN_AS_NODE=1 exec "$resources/../MacOS/Berth" "$resources/app.asar/dist/cli/docker-credential-berth.cjs" "$@"');
      expect(plugin).toBe(path.join(dir, 'Resources', 'tools', 'cli-plugins', 'docker-extension'));
      expect(readFileSync(plugin!, 'utf8')).toContain('\nELECTRON_RUN_AS_NODE=1 exec "$resources/../MacOS/Berth" "$resources/app.asar/bin/docker-extension" "$@"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("docker-credential-berth's fast path (get and list from the running Berth, electron/test/integration/credentials)", () => {
  it("is the same in the checkout's electron/bin/docker-credential-berth as in the packaged launchers", () => {
    const checkout = readFileSync(path.join(repoRoot, 'electron', 'bin', 'docker-credential-berth'), 'utf8');
    expect(checkout.startsWith('#!/bin/bash\n')).toBe(true);
    expect(checkout).toContain(`\n${CREDENTIAL_HELPER_FAST_PATH}self=$0\n`);
    expect(spawnSync('bash', ['-n', path.join(repoRoot, 'electron', 'bin', 'docker-credential-berth')]).status).toBe(0);
  });
});

describe('the Windows launcher', () => {
  it('is a .cmd that runs <install>/Berth.exe as Node on the bundle in app.asar, with CRLF line ends (no plugin: the CLI takes only .exe)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-launcher-win-'));
    try {
      const written = writeAppNodeLaunchers(path.join(dir, 'resources', 'tools'), 'win32');
      expect(written).toHaveLength(1);
      const file = written[0]!;
      expect(path.basename(file)).toBe('docker-credential-berth.cmd');
      const text = readFileSync(file, 'utf8');
      expect(text).toBe(cmdLauncher());
      expect(text.split('\r\n')).toContain('"%~dp0..\\..\\..\\Berth.exe" "%~dp0..\\..\\app.asar\\dist\\cli\\docker-credential-berth.cjs" %*');
      expect(text).toContain('set ELECTRON_RUN_AS_NODE=1\r\nset NODE_EXTRA_CA_CERTS=\r\n');
      expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
