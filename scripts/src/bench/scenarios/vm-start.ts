import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../../testrig/paths.js';
import { bundledDockerBinary } from '../../testrig/toolchain.js';
import { defineScenario, type BenchScenario, type SampleWithParts } from '../scenario.js';

const run = promisify(execFile);
const berthBin = path.join(repoRoot, 'electron', 'bin', 'berth');

interface Ctx {
  root: string;
  env: NodeJS.ProcessEnv;
}

/** The host process's record of one start (electron/src/host/vm/qemu/qemu-backend.ts StartTimeline). */
interface StartTimeline {
  startedAt: number;
  host: Record<string, number>;
  guestEpochMs?: number;
  guest: Array<{ name: string; atMs: number }>;
  snapshot?: { outcome: string; note?: string };
}

function berth(env: NodeJS.ProcessEnv, ...args: string[]): void {
  const r = spawnSync(process.execPath, [berthBin, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`berth ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
}

function homeEnv(base: NodeJS.ProcessEnv, home: string): NodeJS.ProcessEnv {
  return { ...base, HOME: home, BERTH_HOME: path.join(home, '.berth'), DOCKER_CONFIG: path.join(home, '.docker') };
}

/**
 * The stages of one start, in ms, from the host process's timeline (guest stages on the host clock) and the
 * bench's own clock (the same machine's): where `berth start` until `docker version` answers goes.
 */
export function startStages(t: StartTimeline, benchStart: number, benchEnd: number): Record<string, number> {
  const g = (name: string) => {
    const s = t.guest.find((x) => x.name === name);
    if (!s) throw new Error(`the VM did not report stage ${name}`);
    return s.atMs;
  };
  const h = (name: string) => {
    const v = t.host[name];
    if (v === undefined) throw new Error(`the host did not record ${name}`);
    return v;
  };
  const epoch = t.guestEpochMs ?? 0;
  const ready = Math.max(g('data-disk-done'), g('modules-needed'));
  const cli = { 'berth CLI + host process until QEMU runs': t.startedAt + h('qemu-spawned') - benchStart };
  // Restored from a boot snapshot: no kernel or init to time, the restore instead; the guest's stages after the
  // go-ahead are placed on the host clock through the same epoch (the VM's uptime goes on from the snapshot's).
  const upToInit: Record<string, number> =
    t.snapshot?.outcome === 'restored'
      ? {
          'QEMU launch + boot snapshot restore (until the VM runs)': h('snapshot-restored') - h('qemu-spawned'),
          'go-ahead (clock, RNG) + seed until init done': g('init-done') - h('go-ahead'),
        }
      : {
          'QEMU launch + firmware until the kernel runs': epoch - h('qemu-spawned'),
          'kernel (until the initramfs)': g('kernel-done') - epoch,
          'init (initramfs, berth-init set-up)': g('init-done') - g('kernel-done'),
          ...(t.host['snapshot-saved'] !== undefined ? { 'of it, saving the boot snapshot': h('snapshot-saved') - g('snapshot-point') } : {}),
        };
  return {
    ...cli,
    ...upToInit,
    'data disk (check, mount; format on a blank disk)': g('data-disk-done') - g('init-done'),
    'modules berthd needs (beside the data disk)': g('modules-needed') - g('init-done'),
    'sshd listening (from init)': g('sshd-listening') - g('init-done'),
    'SSH session (handshake)': h('ssh-connected') - g('sshd-listening'),
    'system ready for berthd (disk + modules), from init': ready - g('init-done'),
    'berthd ready, after system ready': g('berthd-ready') - ready,
    'host socket served (ping through SSH)': h('socket-served') - g('berthd-ready'),
    'berth start returns + docker version': benchEnd - (t.startedAt + h('socket-served')),
  };
}

/**
 * berthd answers /_ping and /version before its services (stores, networks, firewall, runtimes) have started; other
 * calls wait for them. How long after its socket answered they were up: from the VM's `berthd-started` stage, which
 * may come after `docker version` answered (so it is read from the stage file, waiting for it).
 */
async function servicesAfterListening(berthHome: string): Promise<number> {
  const file = path.join(berthHome, 'vm', 'stages.log');
  const uptime = (text: string, name: string) => {
    const m = new RegExp(`^${name} (\\d+(?:\\.\\d+)?)`, 'm').exec(text);
    return m ? Number(m[1]) * 1000 : undefined;
  };
  for (let waited = 0; waited < 120_000; waited += 100) {
    const text = readFileSync(file, 'utf8');
    const ready = uptime(text, 'berthd-ready');
    const started = uptime(text, 'berthd-started');
    if (ready !== undefined && started !== undefined) return Math.round(started - ready);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the VM did not report berthd-started within 120 s (${file})`);
}

async function timedStart(env: NodeJS.ProcessEnv): Promise<SampleWithParts> {
  const start = Date.now();
  berth(env, 'start');
  await run(bundledDockerBinary(), ['--context', 'berth', 'version'], { env });
  const end = Date.now();
  const timeline = JSON.parse(readFileSync(path.join(env.BERTH_HOME!, 'logs', 'last-start.json'), 'utf8')) as StartTimeline;
  const parts = startStages(timeline, start, end);
  parts['berthd services started, after its socket answered (beside the above)'] = await servicesAfterListening(env.BERTH_HOME!);
  return { value: end - start, parts };
}

function buildImage(): void {
  const built = spawnSync(path.join(repoRoot, 'vm-image', 'build.sh'), [], { stdio: 'ignore' });
  if (built.status !== 0) throw new Error('vm-image/build.sh failed: run it by hand to see why');
}

const vmOnly = (target: { kind: string }) => (target.kind === 'berth' ? undefined : 'dockerd has no VM');

/**
 * The Berth VM from nothing running to `docker version` answering through the host socket, with a fresh
 * BERTH_HOME each time (keys and the data disk are made too): a new user's first start, VM image already built
 * and its boot snapshot saved beside it. BERTH_VM_BOOT_SNAPSHOT=0 measures a boot instead.
 */
export const vmColdStart: BenchScenario = defineScenario<Ctx>({
  name: 'vm-cold-start',
  description: '`berth start` (fresh BERTH_HOME) until `docker version` answers through the host socket, ms, with its stages',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 3,
  warmup: 0,
  unsupported: vmOnly,
  async setup() {
    buildImage();
    const root = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-vm-'));
    // The boot snapshot beside the image (made by the first start of any install, as an image shipped with one
    // has it): a throwaway install starts once, so every timed start is a new install's first start from it.
    const prime = homeEnv(process.env, mkdtempSync(path.join(root, 'prime-')));
    berth(prime, 'start');
    berth(prime, 'stop');
    rmSync(prime.HOME!, { recursive: true, force: true });
    return { root, env: process.env };
  },
  async run(ctx) {
    const env = homeEnv(ctx.env, mkdtempSync(path.join(ctx.root, 'run-')));
    try {
      return await timedStart(env);
    } finally {
      spawnSync(process.execPath, [berthBin, 'stop'], { env });
      rmSync(env.HOME!, { recursive: true, force: true });
    }
  },
  async teardown(ctx) {
    rmSync(ctx.root, { recursive: true, force: true });
  },
});

/** A later start: the same BERTH_HOME (keys, data disk with its file system) as a first start left it, VM stopped. */
export const vmWarmStart: BenchScenario = defineScenario<Ctx>({
  name: 'vm-warm-start',
  description: '`berth start` again (data disk exists, VM stopped) until `docker version` answers, ms, with its stages',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 3,
  warmup: 0,
  unsupported: vmOnly,
  async setup() {
    buildImage();
    const root = mkdtempSync(path.join(os.tmpdir(), 'berth-bench-vm-'));
    const env = homeEnv(process.env, root);
    berth(env, 'start');
    berth(env, 'stop');
    return { root, env };
  },
  async run(ctx) {
    try {
      return await timedStart(ctx.env);
    } finally {
      spawnSync(process.execPath, [berthBin, 'stop'], { env: ctx.env });
    }
  },
  async teardown(ctx) {
    spawnSync(process.execPath, [berthBin, 'stop'], { env: ctx.env });
    rmSync(ctx.root, { recursive: true, force: true });
  },
});
