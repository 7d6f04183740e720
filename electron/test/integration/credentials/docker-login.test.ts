// Done-means of the host tools, with the real docker CLI (Debian's 26.1 from the rig's toolchain, reached through
// ~/.berth/bin as a user would), Compose v2 and buildx, a real htpasswd registry, berthd and gnome-keyring: after
// Berth's host set-up `docker` needs no flags, `docker login` keeps nothing secret in config.json, the secret is in
// the keyring, private pulls work, `docker logout` erases it, and uninstall puts config.json back byte for byte.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { berthPaths, type BerthPaths } from '../../../src/host/paths.js';
import { KEYCHAIN_SERVICE } from '../../../src/host/credentials/os-keychain.js';
import {
  BERTH_BIN, berthdIsBuilt, keyringUnavailable, pushTestImages, repoRoot, startBerthd, startCredentialService, startKeyring, startRegistry,
  type PushedTestImages, type RunningBerthd, type TestKeyring, type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';
import { bundledToolchain } from '../../../../scripts/src/testrig/toolchain.js';
import { assembleDevToolsDir, toolsLayout } from '../../../../scripts/src/toolchain/tools-dir.js';

const skip = !berthdIsBuilt() ? 'berthd is not built (scripts/setup.sh)' : keyringUnavailable();
if (skip) console.warn(`skipping the docker login tests: ${skip}`);

describe.skipIf(!!skip)(`docker login/pull/logout with credsStore "berth"${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const auth = { username: 'alice', password: 'kr-login-s3cret' };
  let keyring: TestKeyring;
  let registry: TestRegistry;
  let images: PushedTestImages;
  let berthd: RunningBerthd;
  let root: string;
  let paths: BerthPaths;
  let dockerDir: string;
  let env: NodeJS.ProcessEnv;
  const originalConfig = '{\n  "psFormat": "table {{.ID}}\\t{{.Names}}",\n  "currentContext": "default"\n}\n';

  /** `docker ARGS` as a user with ~/.berth/bin on PATH would type it: no -H, no DOCKER_HOST. */
  const docker = (args: string[], opts: { input?: string; cwd?: string; path?: string } = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(opts.path ? path.join(opts.path, 'docker') : 'docker', args, { env: opts.path ? { ...env, PATH: opts.path } : env, cwd: opts.cwd ?? root, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 128, stdout, stderr }));
      child.stdin.end(opts.input ?? '');
    });
  const configText = () => readFileSync(path.join(dockerDir, 'config.json'), 'utf8');
  const keyringItems = () => keyring.secretTool(['search', '--all', 'service', KEYCHAIN_SERVICE]).catch(() => '');

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-login-'));
    paths = berthPaths({ BERTH_HOME: path.join(root, 'berth') });
    dockerDir = path.join(root, 'docker');
    mkdirSync(dockerDir);
    writeFileSync(path.join(dockerDir, 'config.json'), originalConfig);
    const toolsDir = path.join(root, 'tools');
    assembleDevToolsDir(toolsDir, toolsLayout(bundledToolchain(), repoRoot));
    [keyring, registry] = await Promise.all([startKeyring(), startRegistry({ auth })]);
    images = await pushTestImages(registry);
    berthd = await startBerthd({ insecureRegistries: [registry.host] });
    env = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('DOCKER_') && !k.startsWith('BERTH_')) env[k] = v;
    // No docker on PATH but Berth's: the machine's own clients must not answer for ours.
    const systemPath = (process.env.PATH ?? '').split(':').filter((d) => !existsSync(path.join(d, 'docker')));
    Object.assign(env, {
      PATH: [paths.bin, ...systemPath].join(':'),
      BERTH_HOME: paths.home,
      BERTH_TOOLS_DIR: toolsDir,
      DOCKER_CONFIG: dockerDir,
      DOCKER_CLI_HINTS: 'false',
      ...keyring.env,
    });
    // The set-up as scripts/start.sh --native runs it (berth start runs the same function after the VM is up).
    const setup = spawnSync(BERTH_BIN, ['setup-host', '--socket', berthd.socket], { env, encoding: 'utf8' });
    expect(setup.status, setup.stderr).toBe(0);
    expect(setup.stdout).toContain(`Linked in ${paths.bin}: docker, docker-credential-berth`);
    expect(setup.stdout).toContain(`Linked in ${paths.cliPlugins}: docker-buildx, docker-compose, docker-extension`);
    expect(setup.stdout).toContain('Registry logins now go to the OS keychain');
    expect(setup.stdout).toContain('Current docker context: berth');
  });
  afterAll(async () => {
    await berthd?.stop();
    await registry?.stop();
    await keyring?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('docker, compose and buildx run from ~/.berth/bin, and plain `docker ps` reaches Berth', async () => {
    // The machine's own docker is off this PATH: `docker` is Berth's link.
    expect(spawnSync('sh', ['-c', 'command -v docker'], { env, encoding: 'utf8' }).stdout.trim()).toBe(path.join(paths.bin, 'docker'));
    const direct = spawnSync(path.join(paths.bin, 'docker'), ['ps'], { env, encoding: 'utf8' });
    expect(direct.status, direct.stderr).toBe(0);
    expect(direct.stdout).toMatch(/^CONTAINER ID/);
    const ps = await docker(['ps']);
    expect(ps.code, ps.stderr).toBe(0);
    expect((await docker(['version', '--format', '{{.Client.Version}}'])).stdout).toMatch(/^26\.1\.5/);
    expect((await docker(['context', 'show'])).stdout.trim()).toBe('berth');
    // This berthd, not another engine on the machine.
    expect((await docker(['info', '--format', '{{.DockerRootDir}}'])).stdout.trim()).toBe(berthd.dataRoot);
    expect((await docker(['compose', 'version'])).stdout).toMatch(/Docker Compose version v?2\.26\.1/);
    expect((await docker(['buildx', 'version'])).stdout).toMatch(/0\.13\.1/);
  });

  it('`docker extension ls` runs Berth\'s plugin from ~/.berth/cli-plugins (cliPluginsExtraDirs) against Berth', async () => {
    // The plugin talks to Berth's own socket, which the app's tunnel serves at ~/.berth/run/docker.sock: here a link
    // to this berthd's socket stands in for the tunnel.
    mkdirSync(path.dirname(paths.dockerSocket), { recursive: true });
    symlinkSync(berthd.socket, paths.dockerSocket);
    try {
      expect((await docker(['--help'])).stdout).toMatch(/^\s+extension\*\s+Manages Docker extensions$/m);
      const ls = await docker(['extension', 'ls']);
      expect(ls.stderr).toBe('');
      expect(ls.stdout).toMatch(/^ID\s+PROVIDER\s+VERSION\s+UI\s+VM\s+HOST\n$/);
      expect(ls.code).toBe(0);
    } finally {
      rmSync(paths.dockerSocket, { force: true });
    }
  });

  it('docker login keeps the secret in the keyring, nothing secret in config.json; pull works; logout erases it', async () => {
    const login = await docker(['login', registry.host, '-u', auth.username, '--password-stdin'], { input: `${auth.password}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain('Login Succeeded');
    const config = JSON.parse(configText()) as { auths: Record<string, unknown>; credsStore: string };
    expect(config.credsStore).toBe('berth');
    expect(config.auths[registry.host]).toEqual({});
    expect(configText()).not.toContain(auth.password);
    expect(configText()).not.toContain(Buffer.from(`${auth.username}:${auth.password}`).toString('base64'));
    expect(await keyringItems()).toContain(auth.password);

    const pull = await docker(['pull', images.busybox.reference]);
    expect(pull.code, pull.stderr).toBe(0);

    // Compose v2 takes the same credentials through the helper.
    expect((await docker(['rmi', images.busybox.reference])).code).toBe(0);
    writeFileSync(path.join(root, 'compose.yaml'), `services:\n  app:\n    image: ${images.busybox.reference}\n`);
    const composePull = await docker(['compose', '-p', 'berthlogin', 'pull']);
    expect(composePull.code, composePull.stderr).toBe(0);
    expect((await docker(['image', 'inspect', images.busybox.reference])).code).toBe(0);

    // With Berth running its host process answers the helper's `get`: with nothing but ~/.berth/bin on PATH (no
    // node for the launcher to fall back to), the private pull still signs in.
    const service = await startCredentialService(env);
    try {
      expect((await docker(['rmi', images.busybox.reference])).code).toBe(0);
      const fast = await docker(['pull', images.busybox.reference], { path: paths.bin });
      expect(fast.code, fast.stderr).toBe(0);
    } finally {
      await service.stop();
    }

    const logout = await docker(['logout', registry.host]);
    expect(logout.code, logout.stderr).toBe(0);
    expect(await keyringItems()).not.toContain(auth.password);
    expect((await docker(['rmi', images.busybox.reference])).code).toBe(0);
    const denied = await docker(['pull', images.busybox.reference]);
    expect(denied.code).not.toBe(0);
  });

  it('the classic builder pulls a private base image with every login the helper lists (X-Registry-Config)', async () => {
    const login = await docker(['login', registry.host, '-u', auth.username, '--password-stdin'], { input: `${auth.password}\n` });
    expect(login.code, login.stderr).toBe(0);
    const ctx = path.join(root, 'build');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${images.busybox.reference}\nRUN echo built > /built.txt\n`);
    env.DOCKER_BUILDKIT = '0';
    const build = await docker(['build', '-t', 'berth-login/built:1', ctx]);
    delete env.DOCKER_BUILDKIT;
    expect(build.code, build.stderr).toBe(0);
    const logout = await docker(['logout', registry.host]);
    expect(logout.code, logout.stderr).toBe(0);
  });

  it("buildx builds FROM a private base image with the login the helper holds (the session's Auth service)", async () => {
    const ctx = path.join(root, 'buildx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(path.join(ctx, 'Dockerfile'), `FROM ${images.busybox.reference}\nRUN echo built > /built.txt\n`);
    await docker(['rmi', images.busybox.reference]);
    const denied = await docker(['buildx', 'build', '--load', '-t', 'berth-login/buildx:1', ctx]);
    expect(denied.code).not.toBe(0);
    const login = await docker(['login', registry.host, '-u', auth.username, '--password-stdin'], { input: `${auth.password}\n` });
    expect(login.code, login.stderr).toBe(0);
    const build = await docker(['buildx', 'build', '--load', '-t', 'berth-login/buildx:1', ctx]);
    expect(build.code, build.stderr).toBe(0);
    const run = await docker(['run', '--rm', 'berth-login/buildx:1', 'cat', '/built.txt']);
    expect(run.stdout).toBe('built\n');
    const logout = await docker(['logout', registry.host]);
    expect(logout.code, logout.stderr).toBe(0);
  });

  it('berth uninstall --force signs out and puts config.json back byte for byte', async () => {
    const login = await docker(['login', registry.host, '-u', auth.username, '--password-stdin'], { input: `${auth.password}\n` });
    expect(login.code, login.stderr).toBe(0);
    const res = spawnSync(BERTH_BIN, ['uninstall', '--force'], { env, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('as it was before Berth');
    expect(configText()).toBe(originalConfig);
    expect(await keyringItems()).not.toContain(auth.password);
    expect(existsSync(paths.home)).toBe(false);
  });
});
