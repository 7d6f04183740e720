import type { Readable } from 'node:stream';
import { Conflict, SystemError, errorMessage } from '../base/errors.js';
import type { Attachment, ContainerProcess } from '../runtime/index.js';
import { publish, type ContainerContext } from './context.js';
import { DEFAULT_DETACH_KEYS, DetachKeyFilter, parseDetachKeys } from './detach-keys.js';
import { logPath } from './log-config.js';
import { readJsonFileLog, type LogStream } from './logs-reader.js';
import type { ContainerRecord } from './types.js';

export interface AttachOptions {
  stream: boolean;
  logs: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string | undefined;
}

/** The client end of an attach or exec session, whatever carries it (hijacked HTTP, WebSocket). */
export interface StreamClient {
  /** What the client types; ends when it half-closes. Undefined when the transport carries no input. */
  input: Readable | undefined;
  /** Output toward the client; resolves when it can take more. */
  write(stream: LogStream, data: Buffer): Promise<void>;
  /** Aborted when the client went away. */
  signal: AbortSignal;
}

/** Validated before any response goes out; `run` then serves one client until the session ends. */
export interface PreparedSession {
  tty: boolean;
  run(client: StreamClient): Promise<void>;
}

export interface PumpOptions {
  tty: boolean;
  /** Forward the client's input at all (`stdin=1` and the process keeps a stdin). */
  stdin: boolean;
  /** Close the process's stdin when the client's input ends (StdinOnce, exec); else input EOF ends the session. */
  closeStdinOnEof: boolean;
  detachKeys: Buffer | undefined;
  stdout: boolean;
  stderr: boolean;
  onDetach?: () => void;
}

/** A monitor connection that could not be made: said to the client in-band, as dockerd reports attach errors. */
function attachFailed(id: string, err: unknown): SystemError {
  return new SystemError(`error attaching to container ${id}: ${errorMessage(err)}`);
}

/**
 * Shuttles bytes between a client and a monitor connection until the process exits, the client detaches or goes
 * away. Input is only read once the connection exists, so stdin sent before the container started waits for it.
 */
export async function pump(attachment: Attachment, client: StreamClient, o: PumpOptions): Promise<void> {
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    attachment.close();
  };
  const onAbort = (): void => {
    if (o.stdin && o.closeStdinOnEof && !o.tty) attachment.closeStdin();
    finish();
  };
  client.signal.addEventListener('abort', onAbort, { once: true });
  if (client.signal.aborted) onAbort();
  const input = o.stdin ? client.input : undefined;
  if (input) {
    const filter = o.detachKeys && o.tty ? new DetachKeyFilter(o.detachKeys) : undefined;
    let inputDone = false;
    const onData = (chunk: Buffer): void => {
      if (finished || inputDone) return;
      const r = filter ? filter.push(chunk) : { data: chunk, detached: false };
      if (r.data.length > 0) attachment.write(r.data);
      if (r.detached) {
        inputDone = true;
        o.onDetach?.();
        finish();
      }
    };
    const onEnd = (): void => {
      if (inputDone || finished) return;
      inputDone = true;
      if (o.closeStdinOnEof && !o.tty) attachment.closeStdin();
      else finish();
    };
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('close', onEnd);
    input.on('error', onEnd);
    // A socket paused while its request body was read does not flow again by itself.
    input.resume();
  }
  try {
    for await (const chunk of attachment.output as AsyncIterable<{ stream: LogStream; data: Buffer }>) {
      if (client.signal.aborted) break;
      if (chunk.stream === 'stdout' ? !o.stdout : !o.stderr) continue;
      await client.write(chunk.stream, chunk.data);
    }
  } catch {
    // The monitor connection broke: the session is over either way.
  } finally {
    client.signal.removeEventListener('abort', onAbort);
    finish();
  }
}

/**
 * `POST /containers/{id}/attach` and its WebSocket twin. An attach made before start (docker run) waits for the
 * container's monitor in a beforeStart hook, so it is connected before the command runs and sees every byte.
 */
export class ContainerAttacher {
  private readonly ctx: ContainerContext;
  /** Attaches waiting for a container's next start: connected by the start, or let go (undefined) at removal. */
  private readonly pending = new Map<string, Set<(proc: ContainerProcess | undefined) => Promise<void>>>();
  /** The process each container was last started with, seen before `processes` has it. */
  private readonly starting = new Map<string, ContainerProcess>();

  constructor(ctx: ContainerContext) {
    this.ctx = ctx;
    ctx.beforeStart.push((record, proc) => this.beforeStart(record, proc));
    // By the time a container died, `processes` has let go of it: so does this map.
    ctx.events.subscribe({
      filter: (e) => e.Type === 'container' && (e.Action === 'die' || e.Action === 'destroy'),
      onEvent: (e) => {
        this.starting.delete(e.Actor.ID);
        if (e.Action === 'destroy') this.release(e.Actor.ID);
      },
    });
  }

  private async beforeStart(record: ContainerRecord, proc: ContainerProcess): Promise<void> {
    this.starting.set(record.Id, proc);
    const waiting = this.pending.get(record.Id);
    if (!waiting) return;
    this.pending.delete(record.Id);
    await Promise.all([...waiting].map((connect) => connect(proc)));
  }

  /** A removed container will never start: its waiting attaches end, as dockerd closes their streams. */
  private release(id: string): void {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    for (const connect of waiting ?? []) void connect(undefined);
  }

  /** A connection to the container's running monitor, or undefined when it is not running. */
  async connectLive(id: string): Promise<Attachment | undefined> {
    const proc = this.ctx.processes.get(id) ?? this.starting.get(id);
    if (!proc) return undefined;
    try {
      return await proc.attach();
    } catch (err) {
      // A monitor that still runs but cannot be reached is a failure the client must see; a gone one means the
      // container exited meanwhile, and the attach waits for its next start as dockerd's does.
      if (proc.monitorAlive()) throw attachFailed(id, err);
      if (this.starting.get(id) === proc) this.starting.delete(id);
      return undefined;
    }
  }

  /** Resolves with a connection made before the container's next start, or undefined if the client left. */
  waitForStart(id: string, signal: AbortSignal): Promise<Attachment | undefined> {
    return new Promise((resolve, reject) => {
      const set = this.pending.get(id) ?? new Set();
      this.pending.set(id, set);
      const connect = async (proc: ContainerProcess | undefined): Promise<void> => {
        signal.removeEventListener('abort', onAbort);
        if (!proc) return resolve(undefined);
        await proc.attach().then(resolve, (err: unknown) => reject(attachFailed(id, err)));
      };
      const onAbort = (): void => {
        set.delete(connect);
        resolve(undefined);
      };
      set.add(connect);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  prepare(idOrName: string, o: AttachOptions): PreparedSession {
    const record = this.ctx.store.get(idOrName);
    if (record.State.Paused) throw new Conflict(`container ${idOrName} is paused, unpause the container before attach`);
    if (record.State.Restarting) throw new Conflict(`container ${idOrName} is restarting, wait until the container is running`);
    const keys = parseDetachKeys(o.detachKeys || DEFAULT_DETACH_KEYS);
    const tty = record.Config.Tty;
    return { tty, run: (client) => this.run(record, o, keys, client) };
  }

  private async run(record: ContainerRecord, o: AttachOptions, keys: Buffer, client: StreamClient): Promise<void> {
    publish(this.ctx, record, 'attach');
    let attachment = o.stream ? await this.connectLive(record.Id) : undefined;
    if (o.logs && record.HostConfig.LogConfig.Type !== 'none') {
      // Logs only (no stream): what a running container wrote so far is read from its pipes first, as for `logs`.
      if (!o.stream && record.State.Running) await this.ctx.processes.get(record.Id)?.flushOutput();
      const entries = readJsonFileLog(logPath(this.ctx.store.dir(record.Id), record.Id), {
        stdout: o.stdout, stderr: o.stderr, tail: -1, signal: client.signal,
      });
      for await (const batch of entries) for (const e of batch) await client.write(e.stream, e.data);
    }
    if (!o.stream || client.signal.aborted) {
      attachment?.close();
      return;
    }
    attachment ??= await this.waitForStart(record.Id, client.signal);
    if (!attachment) return;
    await pump(attachment, client, {
      tty: record.Config.Tty,
      stdin: o.stdin && record.Config.OpenStdin,
      closeStdinOnEof: record.Config.StdinOnce,
      detachKeys: keys,
      stdout: o.stdout,
      stderr: o.stderr,
      onDetach: () => publish(this.ctx, record, 'detach'),
    });
  }
}
