import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgument, SystemError } from '../../base/errors.js';
import { oomKillCount } from '../oci/cgroups.js';
import { ociRuntimeError } from '../oci/errors.js';
import type { OciRuntime } from '../oci/runtime.js';
import type { Process } from '../spec/types.js';
import { FROM_MONITOR, FrameDecoder, frame, TO_MONITOR } from './attach-protocol.js';
import { Attachment } from './attachment.js';

/** docker's json-file options (`--log-opt max-size`, `max-file`). No `log` means the `none` driver. */
export interface JsonFileLog {
  path: string;
  maxSize?: number;
  maxFiles?: number;
}

export interface MonitoredProcessOptions {
  /** The runtime's container id. */
  id: string;
  runtime: OciRuntime;
  /**
   * The monitor's directory (attach.sock, exit.json, monitor.pid, pid, runtime.log). Keep it short: the socket
   * path must fit in 107 bytes, so use the exec-root (`/run/berth/c/<id>`), not the data-root.
   */
  stateDir: string;
  monitorBinary: string;
  tty?: boolean;
  /** Keep a stdin pipe (docker's `OpenStdin`, `-i`). */
  openStdin?: boolean;
}

export interface CreateOptions extends MonitoredProcessOptions {
  bundle: string;
  log?: JsonFileLog;
  /** The spec's `linux.cgroupsPath`, where OOM kills are counted. */
  cgroupsPath?: string;
  /** The root filesystem mount, which the monitor unmounts itself once the container exited (before exit.json). */
  unmountOnExit?: string;
  /** Overlay options: the monitor mounts the root filesystem (at `unmountOnExit`) itself before the runtime runs. */
  mountOverlay?: string;
}

export interface ExecOptions extends MonitoredProcessOptions {
  process: Process;
}

export interface ExitStatus {
  exitCode: number;
  /** The signal that killed the process, 0 if it exited. */
  signal: number;
  oomKilled: boolean;
  finishedAt: string;
}

/**
 * A container (or exec) process held by its own berth-monitor. Every method works the same after berthd
 * restarted: state lives in `stateDir` and behind the attach socket, never in this object.
 */
export class ContainerProcess {
  /** A prepared container's monitor, until `start()` (or `abandon()`) lets go of it. */
  private launch: MonitorLaunch | undefined;

  private constructor(
    private readonly o: MonitoredProcessOptions & { cgroupsPath?: string },
    private pidValue: number,
    private readonly kind: 'container' | 'exec',
  ) {}

  /** The container's (or exec's) process on the host; 0 for a prepared container until it started. */
  get pid(): number {
    return this.pidValue;
  }

  get id(): string {
    return this.o.id;
  }

  /** `runtime create` under a new monitor. The container exists (state `created`) when this resolves. */
  static async create(o: CreateOptions): Promise<ContainerProcess> {
    const files = paths(o.stateDir);
    const argv = o.runtime.createArgv(o.id, { bundle: o.bundle, pidFile: files.pid, ...(o.tty ? { consoleSocket: files.console } : {}) }, files.runtimeLog);
    const pid = await startMonitor(o, containerMonitorArgs(o), argv, 'create');
    return new ContainerProcess(o, pid, 'container');
  }

  /**
   * A new monitor serving the attach socket before the container exists; `start()` then creates and starts it in
   * one runtime process (`run --detach`: one runtime spawn less than create + start). Attach before `start()` to see
   * all output. Runtime failures, creating included, come from `start()`.
   */
  static async prepare(o: CreateOptions): Promise<ContainerProcess> {
    const files = paths(o.stateDir);
    const argv = o.runtime.runArgv(o.id, { bundle: o.bundle, pidFile: files.pid, ...(o.tty ? { consoleSocket: files.console } : {}) }, files.runtimeLog);
    const launch = await launchMonitor(o, [...containerMonitorArgs(o), '--start-on-stdin'], argv, true);
    const reply = await launch.next();
    if (!reply.ready) {
      launch.release();
      if (reply.error?.startsWith(MOUNT_FAILED)) throw new SystemError(reply.error);
      throw await monitorFailure(o, 'create', reply);
    }
    const proc = new ContainerProcess(o, 0, 'container');
    proc.launch = launch;
    return proc;
  }

  /** `runtime exec --detach` under a new monitor. Output waits in the pipes until the first attach. */
  static async exec(o: ExecOptions): Promise<ContainerProcess> {
    const files = paths(o.stateDir);
    await mkdir(o.stateDir, { recursive: true });
    await writeFile(files.process, JSON.stringify({ ...o.process, terminal: o.tty ?? false }));
    const argv = o.runtime.execArgv(o.id, { processFile: files.process, pidFile: files.pid, detach: true, ...(o.tty ? { consoleSocket: files.console } : {}) }, files.runtimeLog);
    const pid = await startMonitor(o, ['--hold-output'], argv, 'exec');
    return new ContainerProcess(o, pid, 'exec');
  }

  /** Picks a process back up after a berthd restart, from what its monitor left in `stateDir`. */
  static async reattach(o: MonitoredProcessOptions & { cgroupsPath?: string; kind?: 'container' | 'exec' }): Promise<ContainerProcess> {
    const pid = Number((await readFile(paths(o.stateDir).pid, 'utf8')).trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new InvalidArgument(`no process recorded in ${o.stateDir}`);
    return new ContainerProcess(o, pid, o.kind ?? 'container');
  }

  /** Runs the container's command (`runtime start`, or `run` for a prepared one). Attach first to see all output. */
  async start(): Promise<void> {
    const launch = this.launch;
    if (launch) {
      this.launch = undefined;
      launch.go();
      const reply = await launch.next();
      launch.release();
      if (!reply.pid) throw await monitorFailure(this.o, 'create', reply);
      this.pidValue = reply.pid;
      return;
    }
    if (this.kind === 'container') await this.o.runtime.start(this.o.id);
  }

  /** A prepared container that will not be started after all: its monitor exits without running anything. */
  abandon(): void {
    this.launch?.release();
    this.launch = undefined;
  }

  attach(): Promise<Attachment> {
    return Attachment.connect(paths(this.o.stateDir).attach);
  }

  /**
   * Sends a signal to the process through its monitor, which still holds it as an unreaped child (so the pid is
   * certainly its): no runtime process to spawn. Resolves once the monitor confirmed it; rejects when the monitor is
   * gone, turned the connection away, or the process has exited. Only the process itself is signalled, as
   * `runtime kill` without `--all`.
   */
  signal(signal: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(paths(this.o.stateDir).attach);
      const decoder = new FrameDecoder();
      let sent = false;
      socket.once('error', reject);
      socket.once('connect', () => {
        const payload = Buffer.alloc(4);
        payload.writeUInt32BE(signal, 0);
        socket.end(frame(TO_MONITOR.signal, payload));
      });
      // Output of the container reaches this connection too, until the monitor sees our end and closes it.
      socket.on('data', (chunk: Buffer) => {
        if (decoder.push(chunk).some((f) => f.type === FROM_MONITOR.signalled)) sent = true;
      });
      socket.once('close', () => (sent ? resolve() : reject(new Error('the monitor did not signal the process'))));
    });
  }

  /**
   * Resolves once what the process has written so far is in its log (the monitor reads its pipes on this request),
   * so a log read that follows sees it, however busy the machine. Never rejects: a monitor that is gone, or one of an
   * older berthd that ignores the request and closes, leaves the log as it is.
   */
  flushOutput(): Promise<void> {
    return new Promise((resolve) => {
      const socket = createConnection(paths(this.o.stateDir).attach);
      const decoder = new FrameDecoder();
      socket.once('error', () => resolve());
      socket.once('connect', () => socket.end(frame(TO_MONITOR.flush)));
      socket.on('data', (chunk: Buffer) => {
        if (decoder.push(chunk).some((f) => f.type === FROM_MONITOR.flushed)) {
          socket.destroy();
          resolve();
        }
      });
      socket.once('close', () => resolve());
    });
  }

  /**
   * Resolves once the monitor has applied the size (as dockerd's resize answers after the ioctl): it handles this
   * connection's frames in order and closes it after our end. Without the wait, input sent right after on another
   * connection could reach the process before the new size.
   */
  async resize(rows: number, cols: number): Promise<void> {
    const a = await this.attach();
    a.output.resume(); // container output reaches this connection too: drop it so the close is never held up
    a.resize(rows, cols);
    a.close();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([a.exit, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }

  /** Whether the monitor still runs (a zombie or a recycled pid does not count). */
  monitorAlive(): boolean {
    const pid = this.monitorPid();
    if (!pid) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/.test(stat)) return false;
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.o.stateDir);
    } catch {
      return false;
    }
  }

  monitorPid(): number | undefined {
    try {
      return Number(readFileSync(paths(this.o.stateDir).monitorPid, 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  /** The recorded exit, or undefined while the process runs. Read it before `runtime delete` removes the cgroup. */
  async exitStatus(): Promise<ExitStatus | undefined> {
    let raw: string;
    try {
      raw = await readFile(paths(this.o.stateDir).exit, 'utf8');
    } catch {
      return undefined;
    }
    const e = JSON.parse(raw) as { exitCode: number; signal: number; finishedAt: string };
    const oomKilled = this.o.cgroupsPath ? (await oomKillCount(this.o.cgroupsPath)) > 0 : false;
    return { exitCode: e.exitCode, signal: e.signal, oomKilled, finishedAt: e.finishedAt };
  }

  /**
   * Resolves once the process has exited. If the monitor died without recording an exit (killed by hand), the
   * exit is unknown and reported as 255 at that moment, as dockerd reports containers it lost.
   */
  async wait(): Promise<ExitStatus> {
    for (;;) {
      const done = await this.exitStatus();
      if (done) return done;
      try {
        const a = await this.attach();
        a.output.resume();
        // No exit frame: the monitor turned us away (too many clients) or is finishing; do not spin.
        if ((await a.exit) === undefined) await sleep(50);
        continue;
      } catch {
        // No socket: either the monitor just finished (exit.json is next) or it is gone.
      }
      if (!this.monitorAlive()) {
        const late = await this.exitStatus();
        if (late) return late;
        return { exitCode: 255, signal: 0, oomKilled: false, finishedAt: new Date().toISOString() };
      }
      await sleep(50);
    }
  }

  /** Removes the monitor's files. The runtime's container must have been deleted already. */
  async removeState(): Promise<void> {
    await rm(this.o.stateDir, { recursive: true, force: true });
  }
}

function paths(dir: string) {
  return {
    attach: join(dir, 'attach.sock'),
    console: join(dir, 'console.sock'),
    exit: join(dir, 'exit.json'),
    pid: join(dir, 'pid'),
    monitorPid: join(dir, 'monitor.pid'),
    runtimeLog: join(dir, 'runtime.log'),
    monitorLog: join(dir, 'monitor.log'),
    process: join(dir, 'process.json'),
  };
}

function containerMonitorArgs(o: CreateOptions): string[] {
  const args = o.log ? ['--log', o.log.path, '--log-max-size', String(o.log.maxSize ?? 0), '--log-max-files', String(o.log.maxFiles ?? 1)] : [];
  if (o.unmountOnExit) args.push('--unmount-on-exit', o.unmountOnExit);
  if (o.unmountOnExit && o.mountOverlay) args.push('--mount-overlay', o.mountOverlay);
  return args;
}

/** How the monitor's `--mount-overlay` failure begins (dockerd's words for a rootfs that does not mount). */
const MOUNT_FAILED = "error mounting the container's root filesystem: ";

interface MonitorReply {
  pid?: number;
  ready?: boolean;
  error?: string;
}

/** A monitor just spawned: one JSON line on its sync pipe per step (ready, then the pid or an error). */
class MonitorLaunch {
  private text = '';
  private ended = false;
  private waiter: (() => void) | undefined;

  constructor(
    private readonly child: ChildProcess,
    private readonly sync: NodeJS.ReadableStream & { destroy(): void },
  ) {
    sync.on('data', (chunk: Buffer) => {
      this.text += chunk.toString();
      this.waiter?.();
    });
    const end = (): void => {
      this.ended = true;
      this.waiter?.();
    };
    sync.on('end', end);
    sync.on('close', end);
    sync.on('error', end);
  }

  /** The next reply; a monitor that exits without one gives an error reply. */
  async next(): Promise<MonitorReply> {
    while (!this.text.includes('\n') && !this.ended) await new Promise<void>((resolve) => (this.waiter = resolve));
    this.waiter = undefined;
    const nl = this.text.indexOf('\n');
    const line = nl === -1 ? this.text : this.text.slice(0, nl);
    this.text = nl === -1 ? '' : this.text.slice(nl + 1);
    try {
      return JSON.parse(line.trim()) as MonitorReply;
    } catch {
      return { error: line.trim() || 'the container monitor exited without a reply' };
    }
  }

  /** `--start-on-stdin`: run the container now. */
  go(): void {
    this.child.stdin?.end('start\n');
  }

  /** Lets go of the monitor: it runs on by itself (or, not told to start, sees EOF on stdin and exits). */
  release(): void {
    this.child.stdin?.destroy();
    this.sync.destroy();
    this.child.unref();
  }
}

async function monitorFailure(o: MonitoredProcessOptions, verb: string, reply: MonitorReply): Promise<Error> {
  const log = await readFile(paths(o.stateDir).runtimeLog, 'utf8').catch(() => '');
  return ociRuntimeError(verb, `${log}\n${reply.error ?? ''}`);
}

/** Spawns the monitor detached (its own session, so berthd's death does not take it along). */
async function launchMonitor(o: MonitoredProcessOptions, extra: string[], runtimeArgv: string[], stdinPipe = false): Promise<MonitorLaunch> {
  const files = paths(o.stateDir);
  await mkdir(o.stateDir, { recursive: true });
  await rm(files.exit, { force: true });
  const args = ['--state-dir', o.stateDir, '--pid-file', files.pid, '--sync-fd', '3', ...extra];
  if (o.tty) args.push('--tty', '--console-socket', files.console);
  if (o.openStdin) args.push('--stdin');
  const errFd = openSync(files.monitorLog, 'a');
  try {
    const child = spawn(o.monitorBinary, [...args, '--', ...runtimeArgv], {
      detached: true,
      stdio: [stdinPipe ? 'pipe' : 'ignore', 'ignore', errFd, 'pipe'],
    });
    const sync = child.stdio[3] as (NodeJS.ReadableStream & { destroy(): void }) | null;
    if (!sync) throw new Error('monitor sync pipe missing');
    // A monitor that could not be spawned: its error ends the sync pipe, and next() reports it.
    child.on('error', () => undefined);
    return new MonitorLaunch(child, sync);
  } finally {
    closeSync(errFd);
  }
}

/** Spawns the monitor and reads its verdict: the process's pid once the runtime succeeded. */
async function startMonitor(o: MonitoredProcessOptions, extra: string[], runtimeArgv: string[], verb: string): Promise<number> {
  const launch = await launchMonitor(o, extra, runtimeArgv);
  const reply = await launch.next();
  launch.release();
  if (reply.pid) return reply.pid;
  throw await monitorFailure(o, verb, reply);
}
