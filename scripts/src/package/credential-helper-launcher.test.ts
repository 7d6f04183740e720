// The docker-credential-berth launcher of packaged macOS/Linux apps, run here in a packaged app's layout with a stand-in
// for the app binary (a script that, like Electron with ELECTRON_RUN_AS_NODE=1, is Node) and the real helper bundle.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../testrig/paths.js';
import { cmdLauncher, writeCredentialHelperLauncher } from './credential-helper-launcher.js';

const BUNDLE = path.join(repoRoot, 'electron', 'dist', 'cli', 'docker-credential-berth.cjs');

describe('the packaged docker-credential-berth launcher', () => {
  let root: string;
  let userBin: string;
  beforeAll(() => {
    if (!existsSync(BUNDLE)) spawnSync(path.join(repoRoot, 'scripts', 'bundle-credential-helper.sh'), { stdio: 'inherit' });
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-launcher-'));
    const install = path.join(root, 'opt', 'Berth');
    const resources = path.join(install, 'resources');
    // The app binary: Node only when asked to be, as Electron.
    writeFileSync(path.join(mkdirp(install), 'berth'), `#!/bin/sh\n[ "$ELECTRON_RUN_AS_NODE" = 1 ] || { echo 'not as node' >&2; exit 9; }\nexec "${process.execPath}" "$@"\n`);
    chmodSync(path.join(install, 'berth'), 0o755);
    // app.asar stands in as a folder (Electron reads the archive as one).
    copyFileSync(BUNDLE, path.join(mkdirp(path.join(resources, 'app.asar', 'dist', 'cli')), 'docker-credential-berth.cjs'));
    copyFileSync(path.join(repoRoot, 'electron', 'package.json'), path.join(resources, 'app.asar', 'package.json'));
    const launcher = writeCredentialHelperLauncher(path.join(resources, 'tools'), 'linux')!;
    // As setUpHostTools links it: ~/.berth/bin/docker-credential-berth → <resources>/tools/bin/docker-credential-berth.
    userBin = mkdirp(path.join(root, 'home', '.berth', 'bin'));
    symlinkSync(launcher, path.join(userBin, 'docker-credential-berth'));
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
  });

  it('speaks the protocol: an unknown server is "credentials not found" with exit 1, without asking the keychain', () => {
    const g = run('get', 'registry.example:5000\n');
    expect(g.stdout).toBe('credentials not found in native keychain\n');
    expect(g.status).toBe(1);
    expect(run('list').stdout).toBe('{}\n');
  });

  it('macOS finds Contents/MacOS/Berth from Contents/Resources', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-launcher-mac-'));
    try {
      const file = writeCredentialHelperLauncher(path.join(dir, 'Resources', 'tools'), 'darwin')!;
      expect(spawnSync('sh', ['-n', file]).status).toBe(0);
      expect(file).toBe(path.join(dir, 'Resources', 'tools', 'bin', 'docker-credential-berth'));
      expect(readFileSync(file, 'utf8')).toContain('unset NODE_EXTRA_CA_CERTS\nELECTRON_RUN_AS_NODE=1 exec "$resources/../MacOS/Berth" "$resources/app.asar/dist/cli/docker-credential-berth.cjs" "$@"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Windows launcher', () => {
  it('is a .cmd that runs <install>/Berth.exe as Node on the bundle in app.asar, with CRLF line ends', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-launcher-win-'));
    try {
      const file = writeCredentialHelperLauncher(path.join(dir, 'resources', 'tools'), 'win32')!;
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
