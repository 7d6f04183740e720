import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../testrig/paths.js';
import { bundledDockerBinary } from '../../testrig/toolchain.js';
import { defineScenario } from '../scenario.js';

const run = promisify(execFile);

interface Ctx {
  env: NodeJS.ProcessEnv;
  home: string;
}

function berth(ctx: Ctx, ...args: string[]): void {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'bin', 'berth'), ...args], { env: ctx.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
}

/**
 * The Berth VM from nothing running to `docker version` answering through the host socket: QEMU boot, init,
 * sshd, berthd, the tunnel (issue 6). A fresh BERTH_HOME each time, so keys and disks are made too. The image is
 * built once in setup (cached across runs). dockerd has no VM to compare with: Berth only.
 */
export default defineScenario<Ctx>({
  name: 'vm-cold-start',
  description: '`berth start` (fresh BERTH_HOME) until `docker version` answers through the host socket, ms',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 2,
  warmup: 0,
  unsupported: (target) => (target.kind === 'berth' ? undefined : 'dockerd has no VM'),
  async setup() {
    const built = spawnSync(path.join(repoRoot, 'vm-image', 'build.sh'), [], { stdio: 'ignore' });
    if (built.status !== 0) throw new Error('vm-image/build.sh failed: run it by hand to see why');
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-vm-'));
    return { home, env: { ...process.env, HOME: home, DOCKER_CONFIG: path.join(home, '.docker') } };
  },
  async run(ctx) {
    const iteration = mkdtempSync(path.join(ctx.home, 'run-'));
    const env = { ...ctx.env, BERTH_HOME: path.join(iteration, '.berth') };
    const start = process.hrtime.bigint();
    try {
      berth({ ...ctx, env }, 'start');
      await run(bundledDockerBinary(), ['--context', 'berth', 'version'], { env });
      return Number(process.hrtime.bigint() - start) / 1e6;
    } finally {
      spawnSync(process.execPath, [path.join(repoRoot, 'electron', 'bin', 'berth'), 'stop'], { env });
      rmSync(iteration, { recursive: true, force: true });
    }
  },
  async teardown(ctx) {
    rmSync(ctx.home, { recursive: true, force: true });
  },
});
