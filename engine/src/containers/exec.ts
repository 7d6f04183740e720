import path from 'node:path';
import { Conflict, InvalidArgument, NotFound, SystemError, errorMessage } from '../base/errors.js';
import { goFieldNames } from '../base/go-json.js';
import { generateId } from '../base/ids.js';
import { ContainerProcess, type Attachment, type Process } from '../runtime/index.js';
import { pump, type PreparedSession, type StreamClient } from './attach.js';
import { bundleDir, eventAttributes, type ContainerContext } from './context.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from './detach-keys.js';
import { execEnv, execProcess, type ExecProcessConfig } from './exec-process.js';
import { exitCodeOf } from './exit.js';
import type { ContainerRecord } from './types.js';

/** `POST /containers/{id}/exec` body (ExecConfig). */
export interface ExecCreateBody {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

const EXEC_CREATE_FIELDS = ['AttachStdin', 'AttachStdout', 'AttachStderr', 'DetachKeys', 'Tty', 'ConsoleSize', 'Env', 'Cmd', 'Privileged', 'User', 'WorkingDir'];

export interface ExecStartBody {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

/** One exec instance, as `GET /exec/{id}/json` shows it plus what starting it needs. */
export interface ExecInstance extends ExecProcessConfig {
  id: string;
  containerId: string;
  running: boolean;
  exitCode: number | null;
  pid: number;
  openStdin: boolean;
  openStdout: boolean;
  openStderr: boolean;
  detachKeys: string;
  /** Set once start was asked for: a second start is a conflict. */
  claimed: boolean;
  proc?: ContainerProcess;
  started: Promise<ContainerProcess | undefined>;
  markStarted: (proc: ContainerProcess | undefined) => void;
  /** Health probes are execs too, but keep their output to themselves. */
  probe: boolean;
}

/** The checks dockerd makes before any exec operation on a container. */
export function activeContainer(ctx: ContainerContext, idOrName: string): ContainerRecord {
  const record = ctx.store.get(idOrName);
  if (!record.State.Running) throw new Conflict(`Container ${record.Id} is not running`);
  if (record.State.Paused) throw new Conflict(`Container ${idOrName} is paused, unpause the container before exec`);
  if (record.State.Restarting) throw new Conflict(`Container ${record.Id} is restarting, wait until the container is running`);
  return record;
}

export function execView(e: ExecInstance): Record<string, unknown> {
  return {
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: { tty: e.tty, entrypoint: e.entrypoint, arguments: e.args, privileged: e.privileged, ...(e.user ? { user: e.user } : {}) },
    OpenStdin: e.openStdin,
    OpenStderr: e.openStderr,
    OpenStdout: e.openStdout,
    CanRemove: false,
    ContainerID: e.containerId,
    DetachKeys: e.detachKeys,
    Pid: e.pid,
  };
}

/**
 * Exec instances: created against a running container, started once (hijacked or detached) under their own
 * berth-monitor, inspectable until their container stops. They live in memory, as dockerd keeps them.
 */
export class ExecService {
  private readonly ctx: ContainerContext;
  private readonly execs = new Map<string, ExecInstance>();

  constructor(ctx: ContainerContext) {
    this.ctx = ctx;
    // Exec instances do not outlive berthd: forget the IDs a previous run recorded.
    for (const r of ctx.store.all()) r.ExecIDs = [];
    ctx.events.subscribe({
      filter: (e) => e.Type === 'container' && (e.Action === 'die' || e.Action === 'destroy'),
      onEvent: (e) => this.dropStopped(e.Actor.ID),
    });
  }

  create(idOrName: string, input: ExecCreateBody, opts: { probe?: boolean } = {}): ExecInstance {
    // Go's JSON matches fields in any case: docker-py sends `detachKeys`.
    const body = goFieldNames(input, EXEC_CREATE_FIELDS);
    const cmd = body.Cmd ?? [];
    if (cmd.length === 0) throw new InvalidArgument('No exec command specified');
    const record = activeContainer(this.ctx, idOrName);
    if (body.DetachKeys) {
      try {
        parseDetachKeys(body.DetachKeys);
      } catch {
        // dockerd answers this one with a plain error: a 500.
        throw new SystemError(`Invalid escape keys (${body.DetachKeys}) provided`);
      }
    }
    const workingDir = body.WorkingDir || record.Config.WorkingDir;
    if (body.WorkingDir && !path.isAbsolute(body.WorkingDir)) {
      throw new InvalidArgument(`the working directory '${body.WorkingDir}' is invalid, it needs to be an absolute path`);
    }
    let markStarted!: (p: ContainerProcess | undefined) => void;
    const started = new Promise<ContainerProcess | undefined>((r) => (markStarted = r));
    const tty = body.Tty ?? false;
    const e: ExecInstance = {
      id: generateId(),
      containerId: record.Id,
      running: false,
      exitCode: null,
      pid: 0,
      openStdin: body.AttachStdin ?? false,
      openStdout: body.AttachStdout ?? false,
      openStderr: body.AttachStderr ?? false,
      detachKeys: body.DetachKeys ?? '',
      entrypoint: cmd[0] ?? '',
      args: cmd.slice(1),
      env: execEnv(record, tty, body.Env ?? []),
      user: body.User || record.Config.User,
      workingDir,
      tty,
      privileged: body.Privileged ?? false,
      consoleSize: body.ConsoleSize ?? undefined,
      claimed: false,
      started,
      markStarted,
      probe: opts.probe ?? false,
    };
    this.execs.set(e.id, e);
    record.ExecIDs = [...record.ExecIDs, e.id];
    this.publish(record, `exec_create: ${e.entrypoint} ${e.args.join(' ')}`, { execID: e.id });
    return e;
  }

  get(id: string): ExecInstance {
    const e = this.execs.get(id);
    if (!e) throw new NotFound(`No such exec instance: ${id}`);
    return e;
  }

  inspect(id: string): Record<string, unknown> {
    return execView(this.get(id));
  }

  /**
   * `POST /exec/{id}/start`. Only an unknown ID fails before the stream opens; as with dockerd, other failures
   * of an attached start travel in-band (as stdout text) and leave exit code 126, which the CLI then reports.
   */
  async prepareStart(id: string, body: ExecStartBody): Promise<PreparedSession & { detach: boolean }> {
    const e = this.get(id);
    if (body.Detach) {
      const { record, proc } = await this.start(e, body);
      this.followExit(record, e, proc);
      return { detach: true, tty: e.tty, run: async () => undefined };
    }
    return {
      detach: false,
      // As dockerd: the start request's Tty, not the exec's, says whether the output is multiplexed (docker-py's
      // exec_create(tty=True) + exec_start() reads frames; the process still has its terminal).
      tty: body.Tty ?? false,
      run: async (client) => {
        let started: { record: ContainerRecord; proc: ContainerProcess; attachment?: Attachment | undefined };
        try {
          started = await this.start(e, body);
        } catch (err) {
          await client.write('stdout', Buffer.from(`${errorMessage(err)}\r\n`));
          return;
        }
        await this.runAttached(started.record, e, started.proc, started.attachment, client);
      },
    };
  }

  /** Checks the exec can start, builds its process and starts it; a failure after the checks is exit 126. */
  private async start(e: ExecInstance, body: ExecStartBody): Promise<{ record: ContainerRecord; proc: ContainerProcess; attachment?: Attachment | undefined }> {
    if (e.exitCode !== null) throw new Conflict(`Error: Exec command ${e.id} has already run`);
    if (e.running || e.claimed) throw new Conflict(`Error: Exec command ${e.id} is already running`);
    const record = activeContainer(this.ctx, e.containerId);
    e.claimed = true;
    let process: Process;
    try {
      process = await execProcess(this.ctx, record, { ...e, consoleSize: body.ConsoleSize ?? e.consoleSize });
    } catch (err) {
      e.markStarted(undefined);
      this.failed(record, e);
      throw err;
    }
    return { record, ...(await this.launch(record, e, process, { attach: !body.Detach })) };
  }

  /** Starts the process under its monitor and follows it to its exit in the background. */
  async launch(record: ContainerRecord, e: ExecInstance, process: Process, o: { attach?: boolean } = {}): Promise<{ proc: ContainerProcess; attachment?: Attachment | undefined }> {
    const runtime = this.ctx.runtimes.get(record.HostConfig.Runtime);
    if (!runtime) throw new Conflict(`Container ${record.Id} is not running`);
    let proc: ContainerProcess;
    try {
      proc = await ContainerProcess.exec({
        id: record.Id,
        runtime,
        stateDir: path.join(bundleDir(this.ctx, record.Id), 'e', e.id.slice(0, 12)),
        monitorBinary: await this.ctx.monitorBinary(),
        tty: e.tty,
        openStdin: e.openStdin,
        process,
      });
    } catch (err) {
      e.markStarted(undefined);
      this.failed(record, e);
      throw err;
    }
    // The session's connection comes first: the monitor holds the output for its first client, and a resize
    // (its own short connection) may only follow once the exec counts as started.
    let attachment: Attachment | undefined;
    let attachError: unknown;
    if (o.attach) attachment = await proc.attach().catch((err: unknown) => void (attachError = err));
    e.proc = proc;
    e.pid = proc.pid;
    e.running = true;
    e.markStarted(proc);
    this.publish(record, `exec_start: ${e.entrypoint} ${e.args.join(' ')}`, { execID: e.id });
    if (attachError !== undefined) {
      // Nobody could feed or read this process: end it rather than leave it waiting on its stdin, and say why.
      await proc.signal(9).catch(() => undefined);
      this.followExit(record, e, proc);
      throw new SystemError(`exec attach failed: ${errorMessage(attachError)}`);
    }
    return { proc, attachment };
  }

  /** Follows the exec to its end (draining output nobody reads), then records its exit. */
  followExit(record: ContainerRecord, e: ExecInstance, proc: ContainerProcess): void {
    void proc
      .wait()
      .then((status) => this.exited(record, e, exitCodeOf(status)))
      .catch(() => this.exited(record, e, 255))
      .finally(() => void proc.removeState().catch(() => undefined));
  }

  private async runAttached(record: ContainerRecord, e: ExecInstance, proc: ContainerProcess, attachment: Attachment | undefined, client: StreamClient): Promise<void> {
    this.followExit(record, e, proc);
    if (!attachment) return;
    let detached = false;
    await pump(attachment, client, {
      tty: e.tty,
      stdin: e.openStdin,
      closeStdinOnEof: true,
      detachKeys: parseDetachKeys(e.detachKeys || DEFAULT_DETACH_KEYS),
      stdout: e.openStdout,
      stderr: e.openStderr,
      onDetach: () => {
        detached = true;
        this.publish(record, 'exec_detach', { execID: e.id });
      },
    });
    // The client reads the exit code right after the stream ends: record it first.
    if (!detached && !client.signal.aborted) {
      const code = await attachment.exit;
      if (code !== undefined) this.exited(record, e, code);
      // The monitor connection ended before the process did: the client must not take the silence for its output.
      else await client.write('stdout', Buffer.from(`exec attach failed: the connection to exec ${e.id} ended before its process exited\r\n`));
    }
  }

  /** Records an exec's exit once (the stream and the background waiter may both report it). */
  exited(record: ContainerRecord, e: ExecInstance, code: number): void {
    if (e.exitCode !== null) return;
    e.exitCode = code;
    this.finish(record, e);
    this.publish(record, 'exec_die', { execID: e.id, exitCode: String(code) });
  }

  /** A start that failed: exit code 126, as dockerd records it, without an exec_die event. */
  private failed(record: ContainerRecord, e: ExecInstance): void {
    e.exitCode = 126;
    this.finish(record, e);
  }

  private finish(record: ContainerRecord, e: ExecInstance): void {
    e.running = false;
    record.ExecIDs = record.ExecIDs.filter((x) => x !== e.id);
    if (!record.State.Running || e.probe) this.execs.delete(e.id);
  }

  async resize(id: string, height: number, width: number): Promise<void> {
    const e = this.get(id);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 10_000)));
    const proc = await Promise.race([e.started, timeout]);
    clearTimeout(timer);
    if (proc === 'timeout') throw new SystemError('timeout waiting for exec session ready');
    if (!proc) throw new InvalidArgument('exec process is not started');
    // An exec that ended in the meantime has nothing left to resize; dockerd answers that case quietly too.
    if (e.exitCode === null) await proc.resize(height, width).catch(() => undefined);
  }

  /** dockerd forgets a container's execs when it stops; running ones go when they end. */
  private dropStopped(containerId: string): void {
    for (const [id, e] of this.execs) {
      if (e.containerId === containerId && !e.running) this.execs.delete(id);
    }
  }

  private publish(record: ContainerRecord, action: string, extra: Record<string, string>): void {
    this.ctx.events.publish('container', action, record.Id, eventAttributes(record, extra));
  }
}
