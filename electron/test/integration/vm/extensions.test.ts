// Docker extensions with the engine in the Berth VM (the normal case on macOS and Windows): an extension is
// installed through the dashboard's host API, its Compose backend runs in the VM, its socket in /run/guest-services
// is a folder of the VM reached from the host over the VM's SSH, its first service reaches the engine through the
// VM's /var/run/docker.sock.raw (which, as Docker Desktop's, hides none of the extension containers that Berth's own
// socket hides), and host binaries still run on the host. Both extensions survive the app's host closing and a VM
// restart. One VM boot and one restart.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildExtensionFixtures, bundledDockerBinary, pushImage, startRegistry, testDockerConfigDir, type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';
import { VM_EXTENSIONS_DIR } from '../../../src/host/extensions/guest-services.js';
import { extensionDirName } from '../../../src/host/extensions/ids.js';
import { berthPaths } from '../../../src/host/paths.js';
import { createUiHost, type UiHost } from '../../../src/host/ui/ui-host.js';
import { isAlive } from '../../../src/host/vm/util.js';
import { VmSshLink } from '../../../src/host/vm/vm-ssh.js';
import { buildCli, repoRoot, vmTestsMissing } from './vm-image.js';

const run = promisify(execFile);

const missing = vmTestsMissing({ dockerClient: true });

/** PIDs of the processes whose command line names `dir` (the QEMU this test started has its disks under it). */
function processesUsing(dir: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return pid !== process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
    } catch {
      return false;
    }
  });
}

describe.skipIf(missing)(`extensions with the engine in the Berth VM${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-ext-vm-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker') };
  delete env.DOCKER_HOST;
  const paths = berthPaths(env);
  const berthBin = path.join(repoRoot, 'electron', 'bin', 'berth');
  const berth = (...args: string[]) => spawnSync(process.execPath, [berthBin, ...args], { env, encoding: 'utf8', timeout: 400_000 });
  // `berth extension` runs Compose with the rig's docker CLI and plugins; its engine is Berth's socket (the VM's).
  const extEnv = { ...env, BERTH_DOCKER_CLI: bundledDockerBinary(), DOCKER_CONFIG: testDockerConfigDir() };
  const berthExt = (...args: string[]) => run(process.execPath, [berthBin, 'extension', ...args], { env: extEnv, timeout: 400_000 })
    .catch((e: { code?: number; stdout?: string; stderr?: string }) => { throw new Error(`berth extension ${args.join(' ')} failed (${e.code}): ${e.stderr}${e.stdout}`); });
  const docker = async (...args: string[]) => (await run(bundledDockerBinary(), ['-H', `unix://${paths.dockerSocket}`, ...args], { env, timeout: 120_000 })).stdout.trim();
  const vm = new VmSshLink(paths);
  const inVm = async (...argv: string[]) => (await vm.exec(argv, { timeoutMs: 30_000 })).stdout.trim();
  let registry: TestRegistry;
  let host: UiHost;
  let compose: string;
  let hostTools: string;
  const idOf = (ref: string) => ref.replace(/:[^/:]+$/, '');
  /** ddClient.extension.vm.service.* of an extension, through the host API, as its tab makes them. */
  const call = (ext: string, method: string, url: string, data?: unknown) =>
    host.requests['extensions.call']({ ext, call: { kind: 'vm.request', method, url, ...(data !== undefined ? { data } : {}) } });
  /** The real docker CLI running Berth's docker-extension plugin (from a DOCKER_CONFIG that also reaches Compose). */
  const dockerExtension = async (...args: string[]) => {
    const dockerConfig = path.join(home, '.docker-ext');
    if (!existsSync(dockerConfig)) {
      mkdirSync(path.join(dockerConfig, 'cli-plugins'), { recursive: true });
      symlinkSync(path.join(repoRoot, 'electron', 'bin', 'docker-extension'), path.join(dockerConfig, 'cli-plugins', 'docker-extension'));
      const base = JSON.parse(readFileSync(path.join(testDockerConfigDir(), 'config.json'), 'utf8')) as { cliPluginsExtraDirs?: string[] };
      writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [...(base.cliPluginsExtraDirs ?? []), path.join(dockerConfig, 'cli-plugins')] }));
    }
    return (await run(bundledDockerBinary(), ['extension', ...args], { env: { ...extEnv, DOCKER_CONFIG: dockerConfig, DOCKER_CLI_HINTS: 'false' }, timeout: 400_000 })).stdout;
  };
  /** The `VM` column of `ls` output for the extension `id`. */
  const vmColumn = (ls: string, id: string) => ls.split('\n').find((l) => l.startsWith(`${id} `))?.split(/\s{2,}/)[4];
  const savedEnv = { BERTH_DOCKER_CLI: process.env.BERTH_DOCKER_CLI, DOCKER_CONFIG: process.env.DOCKER_CONFIG };

  beforeAll(async () => {
    buildCli();
    registry = await startRegistry();
    const { builder, images } = await buildExtensionFixtures();
    const pushed = { compose: '', host: '' };
    for (const name of ['compose', 'host'] as const) {
      const { repo, image } = images[name];
      await pushImage(registry, image, `${repo}:1.0.0`, { blobs: builder.blobs });
      // The engine in the VM reaches the host's loopback registry at 10.0.2.2.
      pushed[name] = `${registry.host.replace('127.0.0.1', '10.0.2.2')}/${repo}:1.0.0`;
    }
    ({ compose, host: hostTools } = pushed);
    mkdirSync(paths.home, { recursive: true });
    writeFileSync(paths.settings, JSON.stringify({ vm: { memoryMiB: 1536, shares: [], engineArgs: ['--insecure-registry', compose.split('/')[0]!] } }));
    const res = berth('start');
    if (res.status !== 0) throw new Error(`berth start failed (${res.status}): ${res.stderr}`);
    // The dashboard's host, as `berth dashboard` makes it against the VM's socket (exec calls use the rig's CLI).
    Object.assign(process.env, { BERTH_DOCKER_CLI: extEnv.BERTH_DOCKER_CLI, DOCKER_CONFIG: extEnv.DOCKER_CONFIG });
    host = createUiHost({ engine: `unix://${paths.dockerSocket}`, extensions: { home: paths.home } });
  }, 900_000);

  afterAll(async () => {
    host?.close();
    vm.close();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    console.log(`--- berthd log (VM) ---\n${berth('logs', 'engine', '-n', '40').stdout}\n--- host log ---\n${berth('logs', 'host', '-n', '40').stdout}`);
    // The host process and QEMU this test started end here even when start or stop went wrong: `berth stop`
    // first, then SIGKILL for whichever of them (by PID) outlived it.
    let status: { pid?: number; hostPid?: number } = {};
    try {
      status = JSON.parse(berth('status', '--json').stdout) as typeof status;
    } catch { /* not started: only the /proc scan below applies */ }
    const stop = berth('stop');
    if (stop.status !== 0) console.log(`berth stop failed (${stop.status}): ${stop.stderr}`);
    for (const pid of new Set([status.pid, status.hostPid, ...processesUsing(home)])) {
      if (pid && isAlive(pid)) {
        console.log(`killing pid ${pid}, left running after berth stop`);
        process.kill(pid, 'SIGKILL');
      }
    }
    await registry?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('installs a two-service composefile backend from the dashboard; vm.service reaches its socket in the VM', async () => {
    const lines: string[] = [];
    await new Promise<void>((resolve, reject) => {
      void host.streams['extensions.install']({ image: compose }, {
        data: (l) => lines.push(l),
        end: (err?: unknown) => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve()),
      });
    });
    expect(lines).toContain('Service in Desktop VM started');
    const id = idOf(compose);
    // Both services run in the VM, and the backend's socket is in the VM (nothing of it on the host).
    const services = await docker('ps', '-a', '--filter', `label=com.docker.desktop.extension.name=${id}`, '--format', '{{.Label "com.docker.compose.service"}} {{.State}}');
    expect(services.split('\n').sort()).toEqual(['api running', 'worker running']);
    const vmDir = `${VM_EXTENSIONS_DIR}/${extensionDirName(id)}`;
    await expect.poll(() => inVm('ls', `${vmDir}/guest-services`), { timeout: 30_000 }).toBe('api.sock');
    expect(existsSync(path.join(paths.home, 'extensions', extensionDirName(id), 'guest-services'))).toBe(false);

    // ddClient.extension.vm.service.* through the host API, as the extension's tab makes them.
    expect(await call(id, 'GET', '/hello')).toEqual({ hello: 'compose-api' });
    expect(await call(id, 'POST', '/echo', { from: 'host' })).toEqual({ from: 'host' });
    await expect(call(id, 'GET', '/fail')).rejects.toMatchObject({ status: 500, message: '{"message":"failed on purpose"}' });
    // Its first service binds the VM's /var/run/docker.sock.raw as its /var/run/docker.sock and asks the engine.
    expect((await vm.exec(['test', '-S', '/var/run/docker.sock.raw'])).code).toBe(0);
    expect(await call(id, 'GET', '/engine')).toBe('OK');
    // vm.cli.exec runs in the first service's container, in the VM.
    expect(await host.requests['extensions.exec']({ ext: id, exec: { scope: 'vm', cmd: 'cat', args: ['/etc/berth-release'] } }))
      .toMatchObject({ code: 0, stdout: 'berth-test busybox\n' });
  }, 600_000);

  it('shows the backend its own containers through docker.sock.raw, while docker ps on Berth\'s socket hides them', async () => {
    const id = idOf(compose);
    // The api service lists the engine's containers through the VM's docker.sock.raw (bound as its docker.sock).
    const seen = await call(id, 'GET', '/engine/containers') as { Labels?: Record<string, string> }[];
    expect(seen.filter((c) => c.Labels?.['com.docker.desktop.extension.name'] === id).map((c) => c.Labels?.['com.docker.compose.service']).sort())
      .toEqual(['api', 'worker']);
    // The user's docker ps (the host's socket, tunnelled to berthd's own) hides them: the setting is off.
    expect(await host.requests['extensions.showContainers']({})).toEqual({ show: false });
    expect((await docker('ps', '-a', '--format', '{{.Names}}')).split('\n').filter((n) => n.includes('-desktop-extension'))).toEqual([]);
  }, 600_000);

  it('lists it through `berth extension ls`, and runs a shipped host binary on the host', async () => {
    const ls = (await berthExt('ls')).stdout;
    const row = ls.split('\n').find((l) => l.startsWith(idOf(compose)));
    expect(row?.split(/\s{2,}/).slice(3, 5)).toEqual(['1 tab(Compose Pair)', 'Running(2)']);

    const out = (await berthExt('install', '-f', hostTools)).stdout;
    expect(out).toContain('Extension "Host Tools" installed successfully');
    const res = await host.requests['extensions.exec']({ ext: idOf(hostTools), exec: { scope: 'host', cmd: 'hello-host', args: ['"on the host"'] } });
    expect(res).toMatchObject({ code: 0, stdout: 'hello from the host: on the host\n' });
    // The binary is on the host only: the VM has no copy of it.
    expect(await inVm('sh', '-c', `ls ${VM_EXTENSIONS_DIR} 2>/dev/null`)).toBe(extensionDirName(idOf(compose)));
  }, 600_000);

  it('keeps both across the app closing and a VM restart: listed, backend running and answering, host binary usable', async () => {
    const id = idOf(compose);
    host.close();
    const restart = berth('restart');
    expect(restart.status, `berth restart: ${restart.stderr}`).toBe(0);
    host = createUiHost({ engine: `unix://${paths.dockerSocket}`, extensions: { home: paths.home } });

    const { extensions } = await host.requests['extensions.list']();
    expect(extensions.map((e) => e.id).sort()).toEqual([id, idOf(hostTools)].sort());
    // berthd brings the backend's services back (restart: unless-stopped) once it has restored its containers.
    const services = () => docker('ps', '-a', '--filter', `label=com.docker.desktop.extension.name=${id}`, '--format', '{{.Label "com.docker.compose.service"}} {{.State}}');
    await expect.poll(async () => (await services()).split('\n').sort(), { timeout: 120_000, interval: 2_000 }).toEqual(['api running', 'worker running']);
    // Its socket in the VM answers again (the backend binds it anew at start), and it reaches the engine.
    await expect.poll(() => call(id, 'GET', '/hello').catch((e: Error) => e.message), { timeout: 60_000, interval: 1_000 }).toEqual({ hello: 'compose-api' });
    expect(await call(id, 'GET', '/engine')).toBe('OK');
    expect((await host.requests['extensions.list']()).extensions.find((e) => e.id === id)?.backend).toEqual({ running: 2, total: 2 });
    expect(vmColumn((await berthExt('ls')).stdout, id)).toBe('Running(2)');
    expect(vmColumn(await dockerExtension('ls'), id)).toBe('Running(2)');
    const res = await host.requests['extensions.exec']({ ext: idOf(hostTools), exec: { scope: 'host', cmd: 'hello-host', args: ['after restart'] } });
    expect(res).toMatchObject({ code: 0, stdout: 'hello from the host: after restart\n' });
  }, 900_000);

  it('removes both: the backend\'s containers and volume in the VM, its folder there, and the files on the host', async () => {
    const id = idOf(compose);
    await host.requests['extensions.remove']({ id });
    await berthExt('rm', hostTools);
    expect(await docker('ps', '-a', '--filter', 'label=com.docker.desktop.extension', '--format', '{{.Names}}')).toBe('');
    expect(await docker('volume', 'ls', '-q')).toBe('');
    expect(await inVm('sh', '-c', `ls -A ${VM_EXTENSIONS_DIR} 2>/dev/null`)).toBe('');
    expect((await berthExt('ls')).stdout.trim().split('\n')).toHaveLength(1);
    expect(existsSync(path.join(paths.home, 'extensions', extensionDirName(id)))).toBe(false);
    expect(existsSync(path.join(paths.home, 'extensions', extensionDirName(idOf(hostTools))))).toBe(false);
  }, 600_000);
});
