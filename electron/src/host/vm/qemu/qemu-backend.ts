import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
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
import { findExecutable, freeLoopbackPort, isAlive, sleep, tailFile, withTimeout } from '../util.js';
import type { VmFiles } from '../vm-files.js';
import { ensureSshKeys, type SshKeys } from '../../ssh/keys.js';
import { SshLink } from '../../ssh/ssh-link.js';
import { probeAccelerator } from './accel.js';
import { findSnapshot, removeSnapshots, restoreSnapshot, saveSnapshot, snapshotDirs, snapshotKey } from './boot-snapshot.js';
import { qemuCommand, type QemuCommand } from './command-line.js';
import { ControlPort } from './control-port.js';
import { GuestStageWatcher, type GuestStage, type GuestStageName } from './guest-stages.js';
import { applyHostForward, listHostForwards, type HostForward } from './hostfwd.js';
import { checkImage, ensureDataDisk, launchSpec, writeSeedDisk, type Launch, type VmStateFile } from './launch-files.js';
import { QmpClient } from './qmp.js';
import { timelineWithStages, type StartTimeline } from './start-timeline.js';

export type { StartTimeline } from './start-timeline.js';

/**
 * Per-stage timeouts, generous for TCG (software emulation): boot runs until the VM's go-ahead (a restored boot
 * snapshot, or kernel and init up to the snapshot point and maybe saving it), then SSH and berthd.
 */
export const STAGE_TIMEOUTS_MS: Record<StartStage, number> = { prepare: 60_000, boot: 120_000, ssh: 120_000, engine: 120_000 };

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
  private readonly control: ControlPort;
  private imageDir: string | undefined;
  private timeline: StartTimeline | undefined;
  private readonly platform: NodeJS.Platform;
  private readonly arch: 'x64' | 'arm64';

  constructor(private readonly opts: QemuBackendOptions) {
    super();
    this.platform = opts.platform ?? process.platform;
    this.arch = opts.arch ?? (process.arch === 'arm64' ? 'arm64' : 'x64');
    this.stages = new GuestStageWatcher(opts.files.stagesFile);
    this.control = new ControlPort(opts.files.controlSocket);
  }

  /** The steps of the last start (undefined before the first, or after a re-attach). */
  startTimeline(): StartTimeline | undefined {
    return this.timeline ? timelineWithStages(this.timeline, this.stages.seen) : undefined;
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
      await step('boot', () => this.bootToGoAhead(launch, settings), launch.accel);
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
      this.control.close();
      this.setState('running');
    } catch (err) {
      this.stages.close();
      this.control.close();
      const detail = this.toVmError(err, stage);
      await this.kill();
      this.fail(detail);
      throw new VmStartError(detail);
    }
  }

  private async prepare(settings: VmSettings): Promise<Launch> {
    const { files } = this.opts;
    checkImage(settings.imageDir);
    this.imageDir = settings.imageDir;
    const accel = probeAccelerator(undefined, settings.accel);
    const spec = launchSpec({ files, settings, platform: this.platform, arch: this.arch, accel, sshPort: await freeLoopbackPort() });
    const command = qemuCommand(spec);
    const binary = findExecutable(command.binary, this.opts.qemuDirs);
    if (!binary) throw new VmStartError({ code: 'no-qemu', stage: 'prepare', message: `${command.binary} not found (install QEMU: apt-get install qemu-system-x86 qemu-utils)` });
    command.binary = binary;
    mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    mkdirSync(path.dirname(files.consoleLog), { recursive: true });
    this.keys = ensureSshKeys(files.sshDir);
    await ensureDataDisk(files, settings, [path.dirname(binary), ...(this.opts.qemuDirs ?? [])]);
    await writeSeedDisk(files, settings, this.keys);
    // QEMU's exec: migration needs a shell (not on Windows).
    if (settings.bootSnapshot === false || this.platform === 'win32') return { command, sshPort: spec.sshPort, accel };
    const key = snapshotKey(command, spec);
    const dirs = snapshotDirs(settings.imageDir, files.bootSnapshotDir);
    const file = findSnapshot(dirs, key);
    return { command, sshPort: spec.sshPort, accel, snapshot: { key, dirs, ...(file ? { file } : {}) } };
  }

  /**
   * QEMU up and the VM past its boot-snapshot point: resumed from the saved state when there is one (a failed or
   * refused restore removes it and boots instead), else booted to the point, where the state is saved once.
   * Then the go-ahead (clock, random bytes) on the control port.
   */
  private async bootToGoAhead(launch: Launch, settings: VmSettings): Promise<void> {
    const snap = launch.snapshot;
    const t = this.timeline;
    if (snap?.file) {
      try {
        // QEMU exiting while it loads is a refused snapshot, not a crash: watched for crashes once it runs.
        await this.boot({ ...launch.command, args: [...launch.command.args, '-incoming', 'defer'] }, launch.sshPort, launch.accel, settings, false);
        await restoreSnapshot(this.qmp!, snap.file);
        this.watch(this.qmp!);
        this.mark('snapshot-restored');
        if (t) t.snapshot = { outcome: 'restored' };
        await this.control.goAhead();
        this.mark('go-ahead');
        return;
      } catch (err) {
        const note = `loading boot snapshot ${snap.file} failed (${(err as Error).message}); removed, booting instead`;
        console.warn(`berth: ${note}`);
        if (t) t.snapshot = { outcome: 'fallback', note };
        // Not a crash of the VM: its QMP socket is let go of before QEMU is stopped.
        const qmp = this.qmp;
        this.qmp = undefined;
        await this.kill(qmp);
        qmp?.close();
        removeSnapshots([path.dirname(snap.file)], snap.key);
      }
    }
    await this.boot(launch.command, launch.sshPort, launch.accel, settings);
    await this.raceCrash(this.stages.when('snapshot-point'));
    if (snap) {
      try {
        await saveSnapshot(this.qmp!, snap.dirs, snap.key);
        this.mark('snapshot-saved');
        if (t && !t.snapshot) t.snapshot = { outcome: 'saved' };
      } catch (err) {
        console.warn(`berth: the boot snapshot was not saved: ${(err as Error).message}`);
        if (t && !t.snapshot) t.snapshot = { outcome: 'booted', note: (err as Error).message };
      }
    } else if (t) t.snapshot = { outcome: 'booted' };
    await this.control.goAhead();
    this.mark('go-ahead');
  }

  private async boot(command: QemuCommand, sshPort: number, accel: Accelerator, settings: VmSettings, watch = true): Promise<void> {
    const { files } = this.opts;
    if (existsSync(files.consoleLog)) renameSync(files.consoleLog, `${files.consoleLog}.1`);
    rmSync(files.pidFile, { force: true });
    if (this.platform !== 'win32') for (const f of [files.qmp, files.controlSocket]) rmSync(f, { force: true });
    this.stages.reset();
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
    if (watch) this.watch(this.qmp);
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
  private async kill(qmp = this.qmp): Promise<void> {
    const pid = this.current?.pid;
    if (!pid || !isAlive(pid)) return;
    await qmp?.execute('quit').catch(() => undefined);
    for (let i = 0; i < 30 && isAlive(pid); i++) await sleep(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  }

  private cleanupFiles(): void {
    this.qmp?.close();
    this.qmp = undefined;
    const { files } = this.opts;
    for (const f of [files.stateFile, files.pidFile, files.seedDisk]) rmSync(f, { force: true });
    if (this.platform !== 'win32') for (const f of [files.qmp, files.controlSocket]) rmSync(f, { force: true });
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
    // The boot snapshots too (this install's and, when it was used, the one beside the image): a reset starts over.
    removeSnapshots(snapshotDirs(this.imageDir ?? files.bootSnapshotDir, files.bootSnapshotDir));
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

  /** QEMU user-mode port forwarding, host address:port → the VM's same port (QMP → HMP; rules in hostfwd.ts). */
  hostForward(op: 'add' | 'remove', f: HostForward): Promise<void> {
    return applyHostForward((line) => this.hmp(line), op, f);
  }

  /** The published-port rules QEMU holds now (the SSH rule left out), e.g. left by an earlier host process. */
  hostForwards(): Promise<HostForward[]> {
    return listHostForwards((line) => this.hmp(line), this.current?.sshPort);
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
