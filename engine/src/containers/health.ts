import { errorMessage } from '../base/errors.js';
import { formatRFC3339Nano, nowNanos } from '../base/timestamp.js';
import { publish, type ContainerContext } from './context.js';
import type { ExecService } from './exec.js';
import type { ContainerRecord, HealthConfig, HealthLogEntry } from './types.js';

const SECOND = 1_000_000_000;
/** dockerd's defaults (daemon/health.go), in nanoseconds as the API carries them. */
const DEFAULTS = { interval: 30 * SECOND, timeout: 30 * SECOND, startPeriod: 0, startInterval: 5 * SECOND, retries: 3 };
const MAX_LOG_ENTRIES = 5;
const MAX_OUTPUT = 4096;

/** A positive duration or dockerd's default for it. */
function orDefault(value: number | undefined, fallback: number): number {
  return value && value > 0 ? value : fallback;
}

/** Go's Duration.String for the whole-ish values healthchecks use: `30s`, `1.5s`, `500ms`, `1m30s`. */
export function goDuration(ns: number): string {
  if (ns < SECOND) return ns % 1_000_000 === 0 ? `${ns / 1_000_000}ms` : `${ns / 1000}µs`;
  const totalSeconds = ns / SECOND;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = Number((totalSeconds % 60).toFixed(9));
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

/** The command a healthcheck runs: `CMD` as given, `CMD-SHELL` through the container's shell. */
export function probeCommand(record: ContainerRecord): string[] | undefined {
  const test = record.Config.Healthcheck?.Test ?? [];
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') {
    const shell = record.Config.Shell && record.Config.Shell.length > 0 ? record.Config.Shell : ['/bin/sh', '-c'];
    return [...shell, test.slice(1).join(' ')];
  }
  return undefined;
}

interface Monitor {
  timer: NodeJS.Timeout | undefined;
  stopped: boolean;
}

/**
 * Healthchecks as dockerd runs them: a probe exec every interval (every start-interval while starting inside the
 * start period), failures inside the start period not counted, `retries` failures in a row make it unhealthy,
 * one success healthy; the last five results kept. Probes stop with the container and resume after a restart.
 */
export class HealthMonitor {
  private readonly ctx: ContainerContext;
  private readonly execs: ExecService;
  private readonly monitors = new Map<string, Monitor>();

  constructor(ctx: ContainerContext, execs: ExecService) {
    this.ctx = ctx;
    this.execs = execs;
    ctx.events.subscribe({
      filter: (e) => e.Type === 'container' && ['start', 'die', 'destroy'].includes(e.Action),
      onEvent: (e) => {
        const record = ctx.store.find(e.Actor.ID);
        if (e.Action === 'start' && record) this.begin(record);
        else this.end(e.Actor.ID);
      },
    });
  }

  /** Picks up running containers after a berthd restart: dockerd starts their health over at `starting`. */
  resume(): void {
    for (const record of this.ctx.store.all()) if (record.State.Running) this.begin(record);
  }

  close(): void {
    for (const id of [...this.monitors.keys()]) this.end(id);
  }

  private begin(record: ContainerRecord): void {
    this.end(record.Id);
    if (!probeCommand(record)) return;
    const health = record.State.Health ?? { Status: 'starting', FailingStreak: 0, Log: [] };
    record.State.Health = { ...health, Status: 'starting', FailingStreak: 0 };
    const m: Monitor = { timer: undefined, stopped: false };
    this.monitors.set(record.Id, m);
    this.schedule(record, m);
  }

  private end(id: string): void {
    const m = this.monitors.get(id);
    if (!m) return;
    m.stopped = true;
    clearTimeout(m.timer);
    this.monitors.delete(id);
  }

  private config(record: ContainerRecord): Required<Omit<HealthConfig, 'Test'>> {
    const h = record.Config.Healthcheck ?? {};
    return {
      Interval: orDefault(h.Interval, DEFAULTS.interval),
      Timeout: orDefault(h.Timeout, DEFAULTS.timeout),
      StartPeriod: orDefault(h.StartPeriod, DEFAULTS.startPeriod),
      StartInterval: orDefault(h.StartInterval, DEFAULTS.startInterval),
      Retries: orDefault(h.Retries, DEFAULTS.retries),
    };
  }

  private schedule(record: ContainerRecord, m: Monitor): void {
    const c = this.config(record);
    const sinceStart = (Date.now() - Date.parse(record.State.StartedAt)) * 1e6;
    const inStartPeriod = sinceStart < c.StartPeriod && record.State.Health?.Status === 'starting';
    const next = inStartPeriod ? c.StartInterval : c.Interval;
    m.timer = setTimeout(() => {
      void this.tick(record, m);
    }, next / 1e6);
    m.timer.unref();
  }

  private async tick(record: ContainerRecord, m: Monitor): Promise<void> {
    if (m.stopped) return;
    if (record.State.Running && !record.State.Paused) {
      try {
        const result = await this.probe(record);
        if (!m.stopped) await this.record(record, result);
      } catch (err) {
        this.ctx.log.debug({ id: record.Id, err: errorMessage(err) }, 'health probe could not run');
      }
    }
    if (!m.stopped) this.schedule(record, m);
  }

  /** Runs one probe to its end or its timeout; a timed-out probe is killed and counts as a failure (-1). */
  private async probe(record: ContainerRecord): Promise<HealthLogEntry> {
    const c = this.config(record);
    const start = formatRFC3339Nano(nowNanos());
    const e = this.execs.create(record.Id, { Cmd: probeCommand(record) ?? [], AttachStdout: true, AttachStderr: true }, { probe: true });
    const session = await this.execs.prepareStart(e.id, { Detach: false });
    let output = Buffer.alloc(0);
    let truncated = false;
    const abort = new AbortController();
    let timedOut = false;
    const killProbe = (): void => {
      if (e.pid <= 0 || e.exitCode !== null) return;
      try {
        process.kill(e.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killProbe();
      abort.abort();
    }, c.Timeout / 1e6);
    try {
      await session.run({
        input: undefined,
        signal: abort.signal,
        write: async (_stream, data) => {
          const room = MAX_OUTPUT - output.length;
          if (data.length > room) truncated = true;
          if (room > 0) output = Buffer.concat([output, data.subarray(0, room)]);
        },
      });
    } finally {
      clearTimeout(timer);
    }
    // A timeout that fired while the probe was still being started (a slow machine) found no pid to kill: the run
    // returns once the start has finished, so the process is known now and must not outlive its timeout.
    if (timedOut) killProbe();
    const text = output.toString('utf8') + (truncated ? '...' : '');
    const end = formatRFC3339Nano(nowNanos());
    if (timedOut) {
      const msg = `Health check exceeded timeout (${goDuration(c.Timeout)})${text ? `: ${text}` : ''}`;
      return { Start: start, End: end, ExitCode: -1, Output: msg };
    }
    return { Start: start, End: end, ExitCode: e.exitCode ?? -1, Output: text };
  }

  /** dockerd's handleProbeResult. */
  private async record(record: ContainerRecord, result: HealthLogEntry): Promise<void> {
    const c = this.config(record);
    const health = record.State.Health ?? { Status: 'starting' as const, FailingStreak: 0, Log: [] };
    const before = health.Status;
    const log = [...health.Log, result].slice(-MAX_LOG_ENTRIES);
    let { Status: status, FailingStreak: streak } = health;
    if (result.ExitCode === 0) {
      streak = 0;
      status = 'healthy';
    } else {
      const inStartPeriod = status === 'starting' && (Date.parse(result.Start) - Date.parse(record.State.StartedAt)) * 1e6 < c.StartPeriod;
      if (!inStartPeriod) {
        streak++;
        if (streak >= c.Retries) status = 'unhealthy';
      }
    }
    record.State.Health = { Status: status, FailingStreak: streak, Log: log };
    await this.ctx.store.save(record).catch(() => undefined);
    if (status !== before) publish(this.ctx, record, `health_status: ${status}`);
  }
}
