import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { repoRoot } from '../../testrig/paths.js';
import { bundledDockerBinary } from '../../testrig/toolchain.js';
import { benchImage } from '../fixtures.js';
import { defineScenario, type BenchScenario } from '../scenario.js';

const run = promisify(execFile);
const berthBin = path.join(repoRoot, 'electron', 'bin', 'berth');

interface Ctx {
  root: string;
  env: NodeJS.ProcessEnv;
  image: string;
}

const qemuRssMiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

function berth(env: NodeJS.ProcessEnv, ...args: string[]): string {
  const r = spawnSync(process.execPath, [berthBin, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** How long a VM's RSS is watched after the container exits (the goal: back within 200 MiB in 30 s). */
const WATCH_S = 30;

/**
 * Memory handed back: a container allocates and touches 1 GiB in the VM and exits; the sample is QEMU's RSS 30 s
 * later minus its idle RSS before (virtio-balloon free-page reporting returns what the VM freed). Parts: idle,
 * right after the exit, and the seconds until RSS was back within 200 MiB of idle. Linux hosts only (/proc).
 */
export const vmMemoryReturn: BenchScenario = defineScenario<Ctx>({
  name: 'vm-memory-return',
  description: `QEMU RSS ${WATCH_S} s after a container touched 1 GiB and exited, minus idle RSS, MiB`,
  unit: 'MiB',
  better: 'lower',
  defaultIterations: 3,
  warmup: 0,
  unsupported: (target) => (target.kind !== 'berth' ? 'dockerd has no VM' : process.platform !== 'linux' ? 'reads QEMU RSS from /proc' : undefined),
  async setup() {
    const built = spawnSync(path.join(repoRoot, 'vm-image', 'build.sh'), [], { stdio: 'ignore' });
    if (built.status !== 0) throw new Error('vm-image/build.sh failed: run it by hand to see why');
    const ref = await benchImage('busybox');
    // The VM reaches the user's machine (and so the bench registry) as 10.0.2.2.
    const inVm = ref.replace('127.0.0.1', '10.0.2.2');
    const root = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-mem-'));
    const env = { ...process.env, HOME: root, BERTH_HOME: path.join(root, '.berth'), DOCKER_CONFIG: path.join(root, '.docker') };
    mkdirSync(env.BERTH_HOME, { recursive: true });
    writeFileSync(path.join(env.BERTH_HOME, 'settings.json'), JSON.stringify({ vm: { engineArgs: ['--insecure-registry', inVm.split('/')[0]!] } }));
    berth(env, 'start');
    await run(bundledDockerBinary(), ['--context', 'berth', 'pull', '--quiet', inVm], { env });
    return { root, env, image: inVm };
  },
  async run(ctx) {
    const { pid } = JSON.parse(berth(ctx.env, 'status', '--json')) as { pid: number };
    await sleep(10_000);
    const idle = qemuRssMiB(pid);
    // busybox dd reads 1 GiB from /dev/zero into one buffer: every page of it is touched.
    await run(bundledDockerBinary(), ['--context', 'berth', 'run', '--rm', ctx.image, 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=1024M', 'count=1'], {
      env: ctx.env,
    });
    const afterExit = qemuRssMiB(pid);
    let backAfter = NaN;
    for (let s = 1; s <= WATCH_S; s++) {
      await sleep(1000);
      if (Number.isNaN(backAfter) && qemuRssMiB(pid) <= idle + 200) backAfter = s;
    }
    const later = qemuRssMiB(pid);
    return {
      value: later - idle,
      parts: {
        'idle RSS': idle,
        'RSS right after the container exited': afterExit,
        [`RSS ${WATCH_S} s later`]: later,
        // in seconds, not MiB (a missed goal shows as the watch period + 1)
        's until within 200 MiB of idle': Number.isNaN(backAfter) ? WATCH_S + 1 : backAfter,
      },
    };
  },
  async teardown(ctx) {
    spawnSync(process.execPath, [berthBin, 'stop'], { env: ctx.env });
    rmSync(ctx.root, { recursive: true, force: true });
  },
});
