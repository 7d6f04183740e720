import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledDockerBinary, type TestRegistry } from '../../../../scripts/src/testrig/index.js';
import { buildCli, ensureImage, hostRegistryForVm, repoRoot, vmTestsMissing } from './vm-image.js';

const run = promisify(execFile);
const missing = vmTestsMissing({ dockerClient: true });
if (missing) console.log(`skipping the boot snapshot VM tests: ${missing}`);

/** The image's files linked into a directory of this test's own, so its boot snapshots are this test's alone. */
function privateImageDir(root: string): string {
  const image = ensureImage();
  const dir = path.join(root, 'image');
  mkdirSync(dir);
  for (const name of readdirSync(image)) {
    if (statSync(path.join(image, name)).isFile()) symlinkSync(path.join(image, name), path.join(dir, name));
  }
  return dir;
}

// `berth start` from a boot snapshot: the first start boots and saves the VM's state at the snapshot point beside
// the image, later ones resume from it; per-start state (clock, RNG, keys, data disk) is the start's own.
describe.skipIf(missing !== undefined)('VM start from a boot snapshot', () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'berth-snap-'));
  const imageDir = privateImageDir(home);
  const snapshots = path.join(imageDir, 'boot-snapshots');
  const env: NodeJS.ProcessEnv & { BERTH_HOME: string } = { ...process.env, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker'), BERTH_VM_IMAGE_DIR: imageDir };
  delete env.BERTH_VM_BOOT_SNAPSHOT;
  const berth = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'bin', 'berth'), ...args], { env, encoding: 'utf8', timeout: 400_000 });
  const docker = async (...args: string[]) => (await run(bundledDockerBinary(), ['--context', 'berth', ...args], { env, timeout: 120_000 })).stdout.trim();
  const lastStart = () => JSON.parse(readFileSync(path.join(env.BERTH_HOME, 'logs', 'last-start.json'), 'utf8')) as { snapshot?: { outcome: string }; guest: Array<{ name: string }> };
  const guestStages = () => lastStart().guest.map((g) => g.name);
  const start = () => {
    const res = berth('start');
    if (res.status !== 0) throw new Error(`berth start failed (${res.status}): ${res.stderr}`);
  };
  const stop = () => expect(berth('stop').status).toBe(0);
  const stateFiles = () => (existsSync(snapshots) ? readdirSync(snapshots).filter((n) => n.endsWith('.state')) : []);
  /** What a start draws first: a new container's id (berthd's generator), then the kernel's (a uuid). */
  const draws = async () => ({ containerId: await docker('create', image, 'true'), kernelUuid: await docker('run', '--rm', image, 'cat', '/proc/sys/kernel/random/uuid') });
  let registry: TestRegistry;
  let image: string;
  let firstDraws: { containerId: string; kernelUuid: string };

  beforeAll(async () => {
    buildCli();
    ({ registry, image } = await hostRegistryForVm(env.BERTH_HOME));
  }, 600_000);

  afterAll(async () => {
    berth('stop');
    await registry?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('the first start boots (kernel, init) and saves the snapshot beside the image', async () => {
    start();
    expect(lastStart().snapshot?.outcome).toBe('saved');
    expect(guestStages()).toEqual(expect.arrayContaining(['kernel-done', 'snapshot-point', 'go-ahead', 'berthd-ready']));
    expect(stateFiles()).toHaveLength(1);
    await docker('pull', image);
    await docker('run', '--rm', '-v', 'kept:/kept', image, 'sh', '-c', 'echo from-the-booted-start > /kept/file');
    stop();
  }, 600_000);

  it('a second start is resumed from it: no kernel or init ran, and the clock is the host\'s', async () => {
    start();
    expect(lastStart().snapshot?.outcome).toBe('restored');
    expect(guestStages()).not.toContain('kernel-done');
    expect(guestStages()).toEqual(expect.arrayContaining(['go-ahead', 'init-done', 'sshd-listening', 'berthd-ready']));
    firstDraws = await draws();
    const vmClock = Number(await docker('run', '--rm', image, 'date', '+%s'));
    // The snapshot was saved minutes ago (its clock was set to 2000-01-01 before the point): a stale clock is far off.
    expect(Math.abs(vmClock - Date.now() / 1000)).toBeLessThan(30);
  }, 600_000);

  it('containers, the data disk and the host registry work after the restore', async () => {
    expect(await docker('run', '--rm', '-v', 'kept:/kept', image, 'cat', '/kept/file')).toBe('from-the-booted-start');
    expect(await docker('run', '--rm', image, 'echo', 'hi')).toBe('hi');
    stop();
  }, 600_000);

  it('two starts resumed from the same snapshot draw different random numbers (berthd and the kernel)', async () => {
    start();
    expect(lastStart().snapshot?.outcome).toBe('restored');
    const again = await draws();
    expect(again.containerId).toMatch(/^[0-9a-f]{64}$/);
    expect(again.containerId).not.toBe(firstDraws.containerId);
    expect(again.kernelUuid).not.toBe(firstDraws.kernelUuid);
    stop();
  }, 600_000);

  it('a corrupt snapshot is removed and the start boots instead, saving a new one', async () => {
    const [name] = stateFiles();
    const file = path.join(snapshots, name!);
    writeFileSync(file, Buffer.alloc(1 << 20, 0x5a));
    start();
    expect(lastStart().snapshot?.outcome).toBe('fallback');
    expect(guestStages()).toContain('kernel-done');
    expect(readFileSync(path.join(env.BERTH_HOME, 'logs', 'host.log'), 'utf8')).toMatch(/loading boot snapshot .* failed .*booting instead/);
    expect(await docker('run', '--rm', '-v', 'kept:/kept', image, 'cat', '/kept/file')).toBe('from-the-booted-start');
    expect(statSync(file).size).toBeGreaterThan(16 << 20);
    stop();
    start();
    expect(lastStart().snapshot?.outcome).toBe('restored');
    stop();
  }, 900_000);
});
