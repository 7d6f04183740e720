import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDockerBinary } from '../../../../scripts/src/testrig/index.js';
import { controlSocket } from '../../../src/cli/vm/control.js';
import { connectRemoteVmControls, type RemoteVmControls } from '../../../src/cli/vm/remote-engine-controls.js';
import { berthPaths } from '../../../src/host/paths.js';
import { createUiHost, type UiHost } from '../../../src/host/ui/ui-host.js';
import { sleep } from '../../../src/host/vm/util.js';
import type { EngineStatus, VmUsage } from '../../../src/shared/types.js';
import { buildCli, repoRoot, vmTestsMissing } from './vm-image.js';

const run = promisify(execFile);

const missing = vmTestsMissing();

// The dashboard host as `berth dashboard` runs it against the Berth VM: `berth daemon` owns the VM, the host
// reaches it over the control socket. Two boots: the restart that starts the VM, and the factory reset.
describe.skipIf(missing)(`the dashboard controls the Berth VM${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-dash-vm-'));
  const env = { ...process.env, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker') };
  const paths = berthPaths(env);
  const berthBin = path.join(repoRoot, 'electron', 'bin', 'berth');
  const docker = (...args: string[]) => run(bundledDockerBinary(), ['-H', `unix://${paths.dockerSocket}`, ...args], { env, timeout: 120_000 });
  let remote: RemoteVmControls;
  let host: UiHost;
  const seen: EngineStatus[] = [];
  const status = () => host.requests['engine.status']() as Promise<EngineStatus>;
  const untilRunning = async () => {
    for (let i = 0; i < 600 && (await status()).state !== 'running'; i++) await sleep(200);
    expect(await status()).toMatchObject({ state: 'running', version: expect.any(String) });
  };
  /** The statuses since index `from`, one line each, consecutive repeats dropped. */
  const story = (from: number) =>
    seen.slice(from).map((s) => `${s.state}${s.stage ? `: ${s.stage}` : ''}`).filter((l, i, all) => l !== all[i - 1]);

  beforeAll(async () => {
    buildCli();
    mkdirSync(paths.logs, { recursive: true });
    mkdirSync(paths.run, { recursive: true });
    writeFileSync(paths.settings, JSON.stringify({ vm: { memoryMiB: 1536, shares: [] } }));
    // `berth daemon` as `berth start` leaves it: in the background, logging to host.log; the VM not started yet.
    const log = openSync(path.join(paths.logs, 'host.log'), 'a');
    spawn(process.execPath, [berthBin, 'daemon'], { env, detached: true, stdio: ['ignore', log, log] }).unref();
    closeSync(log);
    for (let i = 0; i < 200 && !remote; i++) {
      remote = (await connectRemoteVmControls(controlSocket(paths)))!;
      if (!remote) await sleep(50);
    }
    if (!remote) throw new Error('berth daemon did not answer');
    host = createUiHost({ engine: `unix://${paths.dockerSocket}`, settingsPath: paths.settings, hostLogPath: remote.hostLog, controls: remote.controls });
    host.subscribe((ch, v) => { if (ch === 'engine.status') seen.push(v as EngineStatus); });
  }, 600_000);

  afterAll(() => {
    host?.close();
    spawnSync(process.execPath, [berthBin, 'stop'], { env, timeout: 120_000 });
    rmSync(home, { recursive: true, force: true });
  });

  it('shows the stopped VM, then "Restart engine" boots it: starting through each stage, then running', async () => {
    await expect.poll(status).toMatchObject({ state: 'stopped', reason: 'The Berth VM is not running.' });
    // The engine's daemon.json, edited in Settings while the VM is down, reaches berthd in the VM at its start.
    expect(await host.requests['settings.get']()).toMatchObject({ daemonJsonPath: path.join(paths.home, 'daemon.json') });
    expect((await host.requests['settings.checkDaemonJson']({ text: '{"data-root": "/elsewhere"}' })).ok).toBe(false);
    await host.requests['settings.saveDaemonJson']({ text: '{ "labels": ["berth.test=daemon-json"] }' });
    const from = seen.length;
    const t0 = Date.now();
    await host.requests['engine.restart']();
    await untilRunning();
    console.log(`restart through the contract, VM stopped → engine running (TCG): ${Date.now() - t0} ms`);
    const lines = story(from);
    expect(lines).toEqual(expect.arrayContaining(['starting: Booting the VM', 'starting: Waiting for the VM (SSH)', 'starting: Waiting for berthd']));
    expect(lines.at(-1)).toBe('running');
    expect(lines.slice(0, -1).every((l) => l.startsWith('starting'))).toBe(true);
    const progress = seen.slice(from).flatMap((s) => (s.progress === undefined ? [] : [s.progress]));
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(JSON.parse((await docker('info', '--format', '{{json .Labels}}')).stdout)).toEqual(['berth.test=daemon-json']);
    // Settings: a saved change the running VM does not have yet "needs a VM restart", with "Restart now" offered.
    expect((await host.requests['settings.get']()).berth).toMatchObject({ canRestart: true, restartReasons: [] });
    await host.requests['settings.saveDaemonJson']({ text: '{ "labels": ["berth.test=changed"] }' });
    expect((await host.requests['settings.get']()).berth).toMatchObject({ restartReasons: ['daemon.json changed'] });
    await host.requests['settings.saveDaemonJson']({ text: '{ "labels": ["berth.test=daemon-json"] }' });
    expect((await host.requests['settings.save']({ memoryMiB: 1024 })).berth).toMatchObject({ canRestart: true, restartReasons: ['memory 1536 MiB → 1024 MiB'] });
    expect((await host.requests['settings.save']({ memoryMiB: 1536 })).berth).toMatchObject({ restartReasons: [] });
  }, 400_000);

  it('streams the VM process\'s CPU and memory while open, and shows berthd\'s and the host\'s logs', async () => {
    const samples: (VmUsage | null)[] = [];
    const stream = await host.streams['engine.vmUsage'](undefined, { data: (v) => samples.push(v), end: () => undefined });
    for (let i = 0; i < 50 && samples.length < 2; i++) await sleep(200);
    stream.close();
    console.log('VM usage samples:', JSON.stringify(samples));
    expect(samples[1]).toMatchObject({ cpus: 2, memoryLimitBytes: 1536 * 2 ** 20, accel: 'tcg', cpuPercent: expect.any(Number) });
    expect(samples[1]!.memoryBytes).toBeGreaterThan(64 * 2 ** 20);
    expect((await host.requests['troubleshoot.logs']({ source: 'engine', tail: 50 })).lines.join('\n')).toMatch(/berthd|API listening/i);
    expect((await host.requests['troubleshoot.logs']({ source: 'host', tail: 50 })).lines.join('\n')).toMatch(/stage engine end/);
  });

  it('factory reset deletes what the engine had and brings it back empty', async () => {
    await host.requests['volumes.create']({ name: 'made-before-reset' });
    const tar = path.join(home, 'rootfs.tar');
    mkdirSync(path.join(home, 'rootfs'));
    writeFileSync(path.join(home, 'rootfs', 'hello.txt'), 'hi\n');
    spawnSync('tar', ['-C', path.join(home, 'rootfs'), '-cf', tar, '.']);
    await docker('import', tar, 'made-before-reset:1');
    expect((await host.requests['images.list']()).some((i) => i.tags.includes('made-before-reset:1'))).toBe(true);
    const plan = await host.requests['troubleshoot.resetPlan']();
    expect(plan?.deletes).toEqual([path.join(paths.vm, 'data.qcow2'), path.join(paths.home, 'ssh'), path.join(paths.vm, 'boot-snapshots'), paths.logs]);

    const from = seen.length;
    const t0 = Date.now();
    await host.requests['troubleshoot.reset']();
    await untilRunning();
    console.log(`factory reset through the contract until the engine runs again (TCG): ${Date.now() - t0} ms`);
    const lines = story(from);
    expect(lines).toEqual(expect.arrayContaining(['starting: Deleting images, containers, volumes and the VM keys', 'starting: Booting the VM']));
    expect(lines.at(-1)).toBe('running');
    expect((await host.requests['volumes.list']()).map((v) => v.name)).not.toContain('made-before-reset');
    expect((await host.requests['images.list']()).some((i) => i.tags.includes('made-before-reset:1'))).toBe(false);
    expect((await docker('version', '--format', '{{.Server.Os}}')).stdout.trim()).toBe('linux');
  }, 400_000);
});
