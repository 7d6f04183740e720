import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bundledDockerBinary, type TestRegistry } from '../../../../scripts/src/testrig/index.js';
import { buildCli, ensureImage, hostRegistryForVm, repoRoot } from './vm-image.js';

const run = promisify(execFile);
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;

// The VM hands memory back (virtio-balloon free-page reporting): a container fills 1 GiB of its /dev/shm, is
// removed, and QEMU's RSS on the user's machine is back within 200 MiB of what it was idle, within 30 s.
const home = mkdtempSync(path.join(os.tmpdir(), 'berth-mem-'));
const env = { ...process.env, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker') };
const berth = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'bin', 'berth'), ...args], { env, encoding: 'utf8' });
const docker = (...args: string[]) => run(bundledDockerBinary(), ['--context', 'berth', ...args], { env });
let registry: TestRegistry;
let image: string;

beforeAll(async () => {
  ensureImage();
  buildCli();
  ({ registry, image } = await hostRegistryForVm(env.BERTH_HOME));
  const started = berth('start');
  if (started.status !== 0) throw new Error(`berth start failed: ${started.stderr}`);
  await docker('pull', '--quiet', image);
}, 600_000);

afterAll(async () => {
  berth('stop');
  await registry?.stop();
  rmSync(home, { recursive: true, force: true });
});

it('gives the memory a removed container used back to the host within 30 s', async () => {
  const { pid } = JSON.parse(berth('status', '--json').stdout) as { pid: number };
  await sleep(10_000);
  const idle = rssMiB(pid);
  const id = (
    await docker('run', '-d', '--shm-size', '1100m', image, 'sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=1024 2>/dev/null && touch /tmp/full && sleep 3600')
  ).stdout.trim();
  for (let i = 0; i < 120; i++) {
    if ((await docker('exec', id, 'test', '-f', '/tmp/full').then(() => true, () => false))) break;
    await sleep(1000);
  }
  const full = rssMiB(pid);
  await docker('rm', '-f', id);
  const trace: number[] = [];
  for (let s = 0; s < 30 && (trace.at(-1) ?? Infinity) > idle + 200; s++) {
    await sleep(1000);
    trace.push(Math.round(rssMiB(pid)));
  }
  console.log(`QEMU RSS: idle ${Math.round(idle)} MiB, container holding 1 GiB ${Math.round(full)} MiB, then each second: ${trace.join(' ')}`);
  // The container really used the memory (the VM's high-water mark rose by most of the 1 GiB) ...
  expect(full).toBeGreaterThan(idle + 700);
  // ... and the VM handed it back.
  expect(trace.at(-1)).toBeLessThanOrEqual(idle + 200);
}, 300_000);
