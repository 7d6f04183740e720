import { spawn, execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  restartReasons,
  VmStartError,
  type Accelerator,
  type ExecResult,
  type StartStage,
  type VmBackend,
  type VmBackendEvents,
  type VmError,
  type VmSettings,
  type VmState,
  type VmStatus,
} from '../backend.js';
import { ENGINE_SOCKET_IN_VM, pingOver } from '../engine-probe.js';
import { seedTar } from '../seed.js';
import { findExecutable, freeLoopbackPort, isAlive, sleep, tailFile, withTimeout } from '../util.js';
import type { VmFiles } from '../vm-files.js';
import { ensureSshKeys, type SshKeys } from '../../ssh/keys.js';
import { SshLink } from '../../ssh/ssh-link.js';
import { probeAccelerator } from './accel.js';
import { qemuCommand } from './command-line.js';
import { guestEpoch, GuestStageWatcher, type GuestStage, type GuestStageName } from './guest-stages.js';
import { hostfwdAdd, hostfwdRemove, parseHostForwards, type HostForward } from './hostfwd.js';
import { QmpClient } from './qmp.js';

const run = promisify(execFile);

/** Per-stage timeouts, generous for TCG (software emulation): ~6 s to SSH, a few more for Node to start berthd. */
export const STAGE_TIMEOUTS_MS: Record<StartStage, number> = { prepare: 60_000, boot: 15_000, ssh: 120_000, engine: 120_000 };

/**
 * When each step of the last start ended, in ms after start() was called: the host's own steps and the stages the
 * VM reported (placed on the host clock through guestEpoch). Written to VmFiles.startTimeline by VmService.
 */
export interface StartTimeline {
  /** Date.now() when start() was called. */
  startedAt: number;
  /** qemu-spawned, qmp-up, ssh-connected, engine-answered (and socket-served, added by VmService). */
  host: Record<string, number>;
  /** The VM's uptime 0 (the kernel starting), on the same scale. */
  guestEpochMs?: number;
  guest: Array<{ name: string; atMs: number; uptimeMs: number; note?: string }>;
}

/** What a later host process needs to re-attach to a running VM. */
interface VmStateFile {
  pid: number;
  sshPort: number;
  accel: Accelerator;
  startedAt: string;
  settings: VmSettings;
}

export interface QemuBackendOptions {
  files: VmFiles;
  /** Directories searched for qemu-system-* before PATH (a QEMU bundled with the app). */
  qemuDirs?: string[];
  platform?: NodeJS.Platform;
  arch?: 'x64' | 'arm64';
}

export class QemuBackend extends EventEmitter<VmBackendEvents> implements VmBackend {
  readonly name = 'qemu';
  private state: VmState = 'stopped';
  private current: VmStateFile | undefined;
  private lastError: VmError | undefined;
  private qmp: QmpClient | undefined;
  private link: SshLink | undefined;
  private keys: SshKeys | undefined;
  private readonly stages: GuestStageWatcher;
  private timeline: StartTimeline | undefined;
  private readonly platform: NodeJS.Platform;
  private readonly arch: 'x64' | 'arm64';

  constructor(private readonly opts: QemuBackendOptions) {
    super();
    this.platform = opts.platform ?? process.platform;
    this.arch = opts.arch ?? (process.arch === 'arm64' ? 'arm64' : 'x64');
    this.stages = new GuestStageWatcher(opts.files.stagesFile);
  }

  /** The steps of the last start (undefined before the first, or after a re-attach). */
  startTimeline(): StartTimeline | undefined {
    if (!this.timeline) return undefined;
    const t = this.timeline;
    const epoch = guestEpoch(this.stages.seen);
    return {
      ...t,
      host: { ...t.host },
      ...(epoch !== undefined ? { guestEpochMs: epoch - t.startedAt } : {}),
      guest: this.stages.seen.map((g: GuestStage) => ({
        name: g.name,
        uptimeMs: g.uptimeMs,
        atMs: epoch !== undefined ? epoch - t.startedAt + g.uptimeMs : g.receivedAt - t.startedAt,
        ...(g.note ? { note: g.note } : {}),
      })),
    };
  }

  /** Resolves when the booting VM reports `name` (see guest-stages.ts). */
  guestStage(name: GuestStageName): Promise<GuestStage> {
    return this.stages.when(name);
  }

  private mark(step: string): void {
    if (this.timeline) this.timeline.host[step] = Date.now() - this.timeline.startedAt;
  }

  status(): VmStatus {
    return {
      state: this.state,
      ...(this.current
        ? { pid: this.current.pid, sshPort: this.current.sshPort, accel: this.current.accel, startedAt: this.current.startedAt, settings: this.current.settings }
        : {}),
      ...(this.lastError ? { error: this.lastError } : {}),
    };
  }

  /** The SSH connection into the running VM (tunnel, ports and exec share it). */
  ssh(): SshLink {
    if (!this.link) throw new Error('the VM is not running');
    return this.link;
  }

  restartReasons(next: VmSettings): string[] {
    return restartReasons(this.current?.settings, next);
  }

  private setState(state: VmState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('state', state);
  }

  async start(settings: VmSettings): Promise<void> {
    if (this.state === 'running' || this.state === 'starting') throw new Error(`the VM is already ${this.state}`);
    const t0 = Date.now();
    this.timeline = { startedAt: t0, host: {}, guest: [] };
    this.lastError = undefined;
    this.setState('starting');
    let stage: StartStage = 'prepare';
    const step = async <T>(name: StartStage, fn: () => Promise<T>, message?: string): Promise<T> => {
      stage = name;
      this.emit('progress', { stage: name, phase: 'begin', elapsedMs: Date.now() - t0, ...(message ? { message } : {}) });
      const result = await withTimeout(fn(), STAGE_TIMEOUTS_MS[name], `timed out after ${STAGE_TIMEOUTS_MS[name] / 1000} s`).catch((err: unknown) => {
        if (!(err instanceof Error) || !err.message.startsWith('timed out')) throw err;
        throw new Error(`${err.message} (last stage the VM reported: ${this.stages.seen.at(-1)?.name ?? 'none'})`);
      });
      this.emit('progress', { stage: name, phase: 'end', elapsedMs: Date.now() - t0 });
      return result;
    };
    try {
      const launch = await step('prepare', () => this.prepare(settings));
      await step('boot', () => this.boot(launch.command, launch.sshPort, launch.accel, settings), launch.accel);
      // One SSH session, opened once the VM says sshd listens (berthd is starting meanwhile, not waiting for it).
      await step('ssh', () =>
        this.raceCrash(
          this.stages.when('sshd-listening').then(async () => {
            await this.ssh().connect(STAGE_TIMEOUTS_MS.ssh);
            this.mark('ssh-connected');
          }),
        ),
      );
      // berthd's loader reports when its socket accepts connections; one _ping through SSH confirms it.
      await step('engine', () =>
        this.raceCrash(
          this.stages.when('berthd-ready').then(async () => {
            await this.waitForEngine();
            this.mark('engine-answered');
          }),
        ),
      );
      this.stages.close();
      this.setState('running');
    } catch (err) {
      this.stages.close();
      const detail = this.toVmError(err, stage);
      await this.kill();
      this.fail(detail);
      throw new VmStartError(detail);
    }
  }

  private async prepare(settings: VmSettings) {
    const { files } = this.opts;
    for (const name of ['vmlinuz', 'initrd.img', 'rootfs.squashfs']) {
      if (!existsSync(path.join(settings.imageDir, name))) {
        throw new VmStartError({ code: 'image-missing', stage: 'prepare', message: `VM image file ${path.join(settings.imageDir, name)} is missing (build it with vm-image/build.sh)` });
      }
    }
    const accel = probeAccelerator(undefined, settings.accel);
    const command = qemuCommand({
      platform: this.platform,
      arch: this.arch,
      accel,
      cpus: settings.cpus,
      memoryMiB: settings.memoryMiB,
      kernel: path.join(settings.imageDir, 'vmlinuz'),
      initrd: path.join(settings.imageDir, 'initrd.img'),
      rootfs: path.join(settings.imageDir, 'rootfs.squashfs'),
      dataDisk: files.dataDisk,
      seedDisk: files.seedDisk,
      sshPort: await freeLoopbackPort(),
      qmp: files.qmp,
      consoleLog: files.consoleLog,
      stagesFile: files.stagesFile,
      pidFile: files.pidFile,
    });
    const binary = findExecutable(command.binary, this.opts.qemuDirs);
    if (!binary) throw new VmStartError({ code: 'no-qemu', stage: 'prepare', message: `${command.binary} not found (install QEMU: apt-get install qemu-system-x86 qemu-utils)` });
    command.binary = binary;
    mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    mkdirSync(path.dirname(files.consoleLog), { recursive: true });
    this.keys = ensureSshKeys(files.sshDir);
    const template = path.join(settings.imageDir, `data-ext4-${settings.diskGiB}g.qcow2`);
    if (!existsSync(files.dataDisk) && existsSync(template)) {
      // Formatted when the image was built (a few MiB, sparse): the first boot does not run mkfs under emulation.
      // Copied under another name and renamed, so a crash mid-copy never leaves a half disk to boot from.
      const partial = `${files.dataDisk}.partial`;
      copyFileSync(template, partial);
      renameSync(partial, files.dataDisk);
    }
    if (!existsSync(files.dataDisk)) {
      const qemuImg = findExecutable('qemu-img', [path.dirname(binary), ...(this.opts.qemuDirs ?? [])]);
      if (!qemuImg) throw new VmStartError({ code: 'no-qemu', stage: 'prepare', message: 'qemu-img not found' });
      // Sparse and unformatted: the VM formats it on first boot (no mkfs needed on macOS/Windows hosts).
      await run(qemuImg, ['create', '-q', '-f', 'qcow2', files.dataDisk, `${settings.diskGiB}G`]);
    }
    const seed = await seedTar({
      hostPrivateKey: this.keys.hostPrivate,
      authorizedKeys: this.keys.clientPublic,
      engineArgs: settings.engineArgs,
      ...(settings.daemonJson !== undefined ? { daemonJson: settings.daemonJson } : {}),
    });
    writeFileSync(files.seedDisk, seed, { mode: 0o600 });
    if (existsSync(files.consoleLog)) renameSync(files.consoleLog, `${files.consoleLog}.1`);
    rmSync(files.qmp, { force: true });
    rmSync(files.pidFile, { force: true });
    this.stages.reset();
    const sshPort = Number(/hostfwd=tcp:127\.0\.0\.1:(\d+)-/.exec(command.args.join(' '))?.[1]);
    return { command, sshPort, accel };
  }

  private async boot(command: { binary: string; args: string[] }, sshPort: number, accel: Accelerator, settings: VmSettings): Promise<void> {
    const { files } = this.opts;
    const log = openSync(files.qemuLog, 'w');
    // Detached, so the VM outlives the host process (which re-attaches after a restart).
    const child = spawn(command.binary, command.args, { detached: true, stdio: ['ignore', log, log], windowsHide: true });
    closeSync(log);
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', (err) => (exited = err.message));
    child.unref();
    const pid = child.pid;
    if (!pid) throw new Error(`cannot start ${command.binary}`);
    this.mark('qemu-spawned');
    for (;;) {
      if (exited) throw new VmStartError({ code: 'failed', stage: 'boot', message: `QEMU exited (${exited}): ${tailFile(files.qemuLog, 5)}` });
      try {
        this.qmp = await QmpClient.connect(files.qmp, 1000);
        this.mark('qmp-up');
        break;
      } catch {
        await sleep(50);
      }
    }
    this.current = { pid, sshPort, accel, startedAt: new Date().toISOString(), settings };
    writeFileSync(files.stateFile, JSON.stringify(this.current, null, 2));
    this.watch(this.qmp);
    this.connectLink(sshPort);
  }

  private connectLink(sshPort: number): void {
    if (!this.keys) this.keys = ensureSshKeys(this.opts.files.sshDir);
    this.link?.close();
    this.link = new SshLink({ host: '127.0.0.1', port: sshPort, username: 'root', privateKey: this.keys.clientPrivate, hostKeyBlob: this.keys.hostKeyBlob });
  }

  /** QEMU closing its monitor socket is how we learn it died, whether or not we spawned it (no polling). */
  private watch(qmp: QmpClient): void {
    qmp.on('close', () => {
      if (this.qmp !== qmp) return;
      this.qmp = undefined;
      if (this.state === 'stopping' || this.state === 'stopped') return;
      this.fail({ code: 'crashed', message: 'the VM stopped unexpectedly', consoleTail: tailFile(this.opts.files.consoleLog, 30) });
    });
  }

  private crashed(): Promise<never> {
    return new Promise((_, reject) => {
      const check = () => {
        if (!this.qmp || this.qmp.isClosed) {
          reject(new VmStartError({ code: 'crashed', message: 'the VM stopped during start', consoleTail: tailFile(this.opts.files.consoleLog, 30) }));
          return true;
        }
        return false;
      };
      if (!check()) this.qmp?.once('close', check);
    });
  }

  private raceCrash<T>(p: Promise<T>): Promise<T> {
    const crash = this.crashed();
    crash.catch(() => undefined);
    return Promise.race([p, crash]);
  }

  private async waitForEngine(): Promise<void> {
    for (;;) {
      try {
        if (await pingOver(await this.ssh().streamLocal(ENGINE_SOCKET_IN_VM), 5000)) return;
      } catch {
        // berthd's socket is not there yet
      }
      await sleep(200);
    }
  }

  private fail(error: VmError): void {
    this.lastError = error;
    this.link?.close();
    this.link = undefined;
    this.cleanupFiles();
    this.current = undefined;
    this.setState('error');
    this.emit('failed', error);
  }

  private toVmError(err: unknown, stage: StartStage): VmError {
    if (err instanceof VmStartError) return { ...err.detail, stage: err.detail.stage ?? stage };
    const message = err instanceof Error ? err.message : String(err);
    const timeout = message.startsWith('timed out');
    return { code: timeout ? 'timeout' : 'failed', stage, message, consoleTail: tailFile(this.opts.files.consoleLog, 30) };
  }

  async stop(opts: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.current) {
      this.setState('stopped');
      return;
    }
    const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
    this.setState('stopping');
    const pid = this.current.pid;
    // Clean: ask the VM's init to stop berthd, sync and power off.
    await this.link?.exec(['/usr/local/bin/berth-poweroff'], { timeoutMs: 3000 }).catch(() => undefined);
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    await this.kill();
    this.link?.close();
    this.link = undefined;
    this.cleanupFiles();
    this.current = undefined;
    this.setState('stopped');
  }

  /** Forced stop: QMP quit, then SIGKILL. */
  private async kill(): Promise<void> {
    const pid = this.current?.pid;
    if (!pid || !isAlive(pid)) return;
    await this.qmp?.execute('quit').catch(() => undefined);
    for (let i = 0; i < 30 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  }

  private cleanupFiles(): void {
    this.qmp?.close();
    this.qmp = undefined;
    const { files } = this.opts;
    for (const f of [files.stateFile, files.pidFile, files.seedDisk]) rmSync(f, { force: true });
    if (this.platform !== 'win32') rmSync(files.qmp, { force: true });
  }

  async restart(settings: VmSettings): Promise<void> {
    await this.stop();
    await this.start(settings);
  }

  async reset(): Promise<void> {
    await this.stop();
    const { files } = this.opts;
    rmSync(files.dataDisk, { force: true });
    rmSync(files.sshDir, { recursive: true, force: true });
    this.keys = undefined;
    this.lastError = undefined;
  }

  async attach(): Promise<boolean> {
    const { files } = this.opts;
    if (this.current) return true;
    let saved: VmStateFile;
    try {
      saved = JSON.parse(readFileSync(files.stateFile, 'utf8')) as VmStateFile;
    } catch {
      return false;
    }
    if (!isAlive(saved.pid)) {
      this.cleanupFiles();
      return false;
    }
    try {
      this.qmp = await QmpClient.connect(files.qmp, 3000);
    } catch {
      return false;
    }
    this.current = saved;
    this.watch(this.qmp);
    this.connectLink(saved.sshPort);
    try {
      await this.ssh().connect(10_000);
    } catch (err) {
      this.current = undefined;
      this.link?.close();
      this.link = undefined;
      this.qmp?.close();
      throw err;
    }
    this.setState('running');
    return true;
  }

  /**
   * QEMU user-mode port forwarding, host address:port → the VM's same port (QMP → HMP hostfwd_add; rules in
   * hostfwd.ts). An earlier host process may have left the same rule: it is removed first, so adding is
   * idempotent. A host port taken by another program fails with QEMU's message (UDP too, even when that program
   * set SO_REUSEADDR: checked with QEMU 7.2).
   */
  async hostForward(op: 'add' | 'remove', f: HostForward): Promise<void> {
    await this.hmp(hostfwdRemove(f)).catch(() => undefined);
    if (op === 'remove') return;
    const out = await this.hmp(hostfwdAdd(f));
    if (out.trim()) throw new Error(`${out.trim()} (EADDRINUSE: the port is taken on the host)`);
  }

  /** The published-port rules QEMU holds now (the SSH rule left out), e.g. left by an earlier host process. */
  async hostForwards(): Promise<HostForward[]> {
    const ssh = this.current?.sshPort;
    return parseHostForwards(await this.hmp('info usernet')).filter((f) => !(f.proto === 'tcp' && f.hostPort === ssh));
  }

  private hmp(line: string): Promise<string> {
    if (!this.qmp) return Promise.reject(new Error('the VM is not running'));
    return this.qmp.execute<string>('human-monitor-command', { 'command-line': line });
  }

  /** Lets go of a running VM without stopping it (host process exiting); a later attach() picks it up. */
  detach(): void {
    const qmp = this.qmp;
    this.qmp = undefined;
    qmp?.close();
    this.link?.close();
    this.link = undefined;
    this.current = undefined;
    this.setState('stopped');
  }

  async exec(argv: string[]): Promise<ExecResult> {
    return this.ssh().exec(argv);
  }
}
