// `berth extension` and `docker extension` (the real docker CLI running Berth's docker-extension plugin) against a
// rig berthd: fixture extensions built without a daemon are installed, listed, updated and removed, and what
// each step leaves on the engine and on disk is what Docker Desktop leaves.
import { access, readFile, readdir, stat } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, pushExtensionFixtures, type PushedExtensions } from '../../../../scripts/src/testrig/index.js';
import { berthExt, dockerCli, rigToolchain, startExtStack, type ExtStack } from './stack.js';

const toolchain = await rigToolchain();
const skip = typeof toolchain === 'string' ? toolchain : undefined;

function httpOverSocket(socketPath: string, method: string, p: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path: p, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe.skipIf(skip)(`docker extensions: install, ls, update, rm${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let s: ExtStack;
  const cli = async (args: string[]) => {
    const r = await docker(args, { host: s.berthd.dockerHost });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const dirOf = (repo: string) => path.join(s.home, 'extensions', repo.replace(/:[^/:]+$/, '').replace(/[^A-Za-z0-9._-]/g, '_'));
  const exists = (p: string) => access(p).then(() => true, () => false);
  const installOk = async (ref: string) => {
    const r = await berthExt(s, ['install', '-f', ref]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout;
  };
  /** Every container (extension ones too: plain `docker ps` hides those), volume and network besides the defaults. */
  const leftovers = async () => ({
    containers: [
      await cli(['ps', '-a', '--format', '{{.Names}}']),
      await cli(['ps', '-a', '--filter', 'label=com.docker.desktop.extension', '--format', '{{.Names}}']),
    ].filter(Boolean).join('\n'),
    volumes: await cli(['volume', 'ls', '-q']),
    networks: (await cli(['network', 'ls', '--format', '{{.Name}}'])).split('\n').filter((n) => !['bridge', 'host', 'none'].includes(n)),
  });

  beforeAll(async () => { s = await startExtStack(toolchain as Exclude<typeof toolchain, string>); }, 240_000);
  const engineSetting = (method: string, p: string) => httpOverSocket(s.berthd.dockerHost.replace('unix://', ''), method, p)
    .then((r) => ({ ...r, body: r.body.trim() }));
  afterAll(async () => { await s?.stop(); });

  it('installs a UI-only extension with Docker Desktop\'s messages, copying files without running the image', async () => {
    const out = await installOk(s.exts.ui);
    expect(out).toContain(`Image not available locally, pulling ${s.exts.ui}...`);
    expect(out).toContain(`Extracting metadata and files for the extension "${s.exts.ui}"`);
    expect(out).toContain('Extension UI tab "Hello UI" added.');
    expect(out).toContain('Extension "Hello UI" installed successfully');
    const dir = dirOf(s.exts.ui);
    expect(JSON.parse(await readFile(path.join(dir, 'metadata.json'), 'utf8')).ui['dashboard-tab'].title).toBe('Hello UI');
    expect(await readFile(path.join(dir, 'ui', 'index.html'), 'utf8')).toContain('data-checks');
    expect(await exists(path.join(dir, 'icon', 'icon.svg'))).toBe(true);
    // The never-started container that served the files is gone, and nothing ran.
    expect(await leftovers()).toEqual({ containers: '', volumes: '', networks: [] });
  });

  it('runs a vm.image backend as a Compose project serving HTTP on its /run/guest-services socket', async () => {
    await installOk(s.exts.backend);
    const dir = dirOf(s.exts.backend);
    const sock = path.join(dir, 'guest-services', 'backend.sock');
    await expect.poll(() => exists(sock), { timeout: 10_000 }).toBe(true);
    expect(await httpOverSocket(sock, 'GET', '/hello')).toEqual({ status: 200, body: '{"hello":"backend"}' });
    const labels = JSON.parse(await cli(['ps', '--filter', 'label=com.docker.desktop.extension=true', '--format', '{{json .Labels}}']));
    expect(labels).toContain('com.docker.desktop.extension.name=127.0.0.1');
    const compose = await readFile(path.join(dir, 'vm', 'docker-compose.yaml'), 'utf8');
    expect(compose).toContain('${DESKTOP_PLUGIN_IMAGE}');
  });

  it('copies this OS\'s host binaries with their mode, and a composefile backend runs both services', async () => {
    await installOk(s.exts.host);
    const bin = path.join(dirOf(s.exts.host), 'host', 'hello-host');
    expect((await stat(bin)).mode & 0o777).toBe(0o755);
    expect(await readdir(path.join(dirOf(s.exts.host), 'host'))).toEqual(['hello-host']);

    await installOk(s.exts.compose);
    const names = (await cli(['ps', '--filter', 'label=com.docker.desktop.extension=true', '--format', '{{.Names}}'])).split('\n').sort();
    expect(names.filter((n) => n.includes('compose-desktop-extension'))).toEqual([
      expect.stringMatching(/compose-desktop-extension-api-1$/), expect.stringMatching(/compose-desktop-extension-worker-1$/),
    ]);
    expect(await cli(['volume', 'ls', '-q'])).toMatch(/compose-desktop-extension_ext-data/);
    // Its api service binds /var/run/docker.sock.raw, as Docker Desktop's VM offers it: here the engine's own socket.
    const sock = path.join(dirOf(s.exts.compose), 'guest-services', 'api.sock');
    await expect.poll(() => exists(sock), { timeout: 10_000 }).toBe(true);
    expect(await httpOverSocket(sock, 'GET', '/engine')).toEqual({ status: 200, body: 'OK' });
  });

  it('hides extension containers from plain docker ps, stats and the API list unless the engine\'s setting shows them', async () => {
    const extNames = async (args: string[]) => (await cli(args)).split('\n').filter((n) => n.includes('-desktop-extension')).sort();
    const labelled = await extNames(['ps', '--filter', 'label=com.docker.desktop.extension=true', '--format', '{{.Names}}']);
    expect(labelled).toHaveLength(3);
    expect(await extNames(['ps', '-a', '--format', '{{.Names}}'])).toEqual([]);
    expect(await extNames(['stats', '--no-stream', '--format', '{{.Name}}'])).toEqual([]);
    // Compose finds its project's containers by label, so it still sees (and can stop) them.
    const compose = labelled.find((n) => n.includes('compose-desktop-extension'))!.replace(/-(api|worker)-1$/, '');
    expect((await dockerCli(s, ['compose', '-p', compose, 'ps', '--format', '{{.Service}}'])).stdout.split('\n').filter(Boolean).sort()).toEqual(['api', 'worker']);

    expect(await engineSetting('POST', '/berth/extension-containers?show=1')).toEqual({ status: 204, body: '' });
    expect(await extNames(['ps', '-a', '--format', '{{.Names}}'])).toEqual(labelled);
    expect(await engineSetting('GET', '/berth/extension-containers')).toEqual({ status: 200, body: '{"Show":true}' });
    expect(await engineSetting('POST', '/berth/extension-containers?show=maybe')).toEqual({ status: 400, body: '{"message":"show must be 1 or 0"}' });
    expect(await engineSetting('POST', '/berth/extension-containers?show=0')).toEqual({ status: 204, body: '' });
    expect(await extNames(['ps', '-a', '--format', '{{.Names}}'])).toEqual([]);
  });

  it('ls prints Docker Desktop\'s columns, through berth and through the real docker CLI', async () => {
    const viaBerth = (await berthExt(s, ['ls'])).stdout;
    const viaDocker = await dockerCli(s, ['extension', 'ls']);
    expect(viaDocker.stderr).toBe('');
    expect(viaDocker.stdout).toBe(viaBerth);
    const lines = viaBerth.trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
    expect(lines[0]).toEqual(['ID', 'PROVIDER', 'VERSION', 'UI', 'VM', 'HOST']);
    const row = (ref: string) => lines.find((l) => l[0] === ref.replace(/:1\.0\.0$/, ''));
    expect(row(s.exts.ui)).toEqual([s.exts.ui.replace(/:1\.0\.0$/, ''), 'Berth Tests', '1.0.0', '1 tab(Hello UI)', '-', '-']);
    expect(row(s.exts.backend)?.slice(3)).toEqual(['1 tab(Backend)', 'Running(1)', '-']);
    expect(row(s.exts.compose)?.[4]).toBe('Running(2)');
    expect(row(s.exts.host)?.[5]).toBe('1 binarie(s)');
  });

  it('refuses an image needing a newer extension API, or lacking labels, and leaves nothing behind', async () => {
    const tooNew = await berthExt(s, ['install', '-f', s.exts.badApi]);
    expect(tooNew.code).toBe(1);
    expect(tooNew.stderr).toContain('the extension needs extension API >= 1.0.0 but Berth implements 0.3.4');
    const bare = await berthExt(s, ['install', '-f', s.exts.noLabels]);
    expect(bare.stderr).toContain('missing required label org.opencontainers.image.vendor');
    expect(await exists(dirOf(s.exts.badApi))).toBe(false);
    expect((await berthExt(s, ['ls'])).stdout).not.toMatch(/too-new|no-labels/);
  });

  it('rolls back an install whose backend fails to start: no containers, volumes, files or entry', async () => {
    const before = await leftovers();
    const r = await berthExt(s, ['install', '-f', s.exts.brokenBackend]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`Removing extension ${s.exts.brokenBackend}...`);
    expect(r.stderr).toMatch(/docker compose up of .*broken-backend-desktop-extension failed/);
    expect(await leftovers()).toEqual(before);
    expect(await exists(dirOf(s.exts.brokenBackend))).toBe(false);
    expect((await readdir(path.join(s.home, 'extensions'))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('asks before installing unless forced, and validates images and metadata files', async () => {
    const no = await berthExt(s, ['install', s.exts.badApi], 'n\n');
    expect(no.stdout).toContain('Extensions can install binaries, invoke commands and access files on your machine. Are you sure you want to continue? [y/N]');
    expect(no.stderr).toBe('Aborted\n');
    expect(no.code).toBe(1);
    const valid = await dockerCli(s, ['extension', 'validate', s.exts.ui]);
    expect(valid.stdout).toBe(`The extension image "${s.exts.ui}" is valid\n`);
    const invalid = await dockerCli(s, ['extension', 'validate', s.exts.noLabels]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('missing required label com.docker.extension.changelog');
    expect((await dockerCli(s, ['extension', 'version'])).stdout).toContain('Server API Version: 0.3.4');
  });

  it('updates to a new tag keeping the ID, and rm removes containers, volumes, files and binaries', async () => {
    const v2: PushedExtensions = await pushExtensionFixtures(s.registry, '2.0.0');
    const up = await berthExt(s, ['update', '-f', v2.compose]);
    expect(up.stderr).toBe('');
    expect(up.stdout).toContain('Extension "Compose Pair" updated successfully');
    const row = (await berthExt(s, ['ls'])).stdout.split('\n').find((l) => l.includes('berth-ext/compose'));
    expect(row?.split(/\s{2,}/).slice(2, 5)).toEqual(['2.0.0', '1 tab(Compose Pair)', 'Running(2)']);

    for (const ref of [s.exts.ui, s.exts.backend, s.exts.host, v2.compose]) {
      const r = await dockerCli(s, ['extension', 'rm', ref]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/uninstalled successfully/);
    }
    expect(await leftovers()).toEqual({ containers: '', volumes: '', networks: [] });
    expect((await readdir(path.join(s.home, 'extensions'))).filter((n) => n !== 'state.json')).toEqual([]);
    expect((await berthExt(s, ['ls'])).stdout).toBe('ID   PROVIDER   VERSION   UI   VM   HOST\n');
    const gone = await berthExt(s, ['rm', s.exts.ui]);
    expect(gone.stderr).toBe(`Error: extension "${s.exts.ui}" is not installed\n`);
    // Rebuilding every fixture (gcc included), an update and four removals: over the default 2 minutes on a loaded box.
  }, 300_000);
});
