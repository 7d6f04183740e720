import { Conflict } from '../base/errors.js';
import { ContainerAttacher, type AttachOptions, type PreparedSession } from './attach.js';
import { publish, type ContainerContext } from './context.js';
import { ExecService, type ExecCreateBody } from './exec.js';
import { HealthMonitor } from './health.js';
import { containerLogs, type LogsQuery, type LogsResult } from './logs.js';
import { containerTop, type TopResult } from './top.js';

/**
 * The containers layer's I/O: attach, logs, resize, top, exec and healthchecks. Built on the ContainerService's
 * context after it has restored its containers, so healthchecks of containers still running resume here.
 */
export class ContainerIoService {
  readonly execs: ExecService;
  readonly health: HealthMonitor;
  private readonly ctx: ContainerContext;
  private readonly attacher: ContainerAttacher;

  constructor(ctx: ContainerContext) {
    this.ctx = ctx;
    this.attacher = new ContainerAttacher(ctx);
    this.execs = new ExecService(ctx);
    this.health = new HealthMonitor(ctx, this.execs);
    this.health.resume();
  }

  attach(idOrName: string, o: AttachOptions): PreparedSession {
    return this.attacher.prepare(idOrName, o);
  }

  logs(idOrName: string, q: LogsQuery, signal: AbortSignal): LogsResult {
    return containerLogs(this.ctx, idOrName, q, signal);
  }

  async resize(idOrName: string, height: number, width: number): Promise<void> {
    const record = this.ctx.store.get(idOrName);
    const proc = this.ctx.processes.get(record.Id);
    if (!record.State.Running || !proc) throw new Conflict(`Container ${record.Id} is not running`);
    // The container may have exited since the check: its monitor socket is gone, which is "not running" too.
    await proc.resize(height, width).catch(() => {
      throw new Conflict(`Container ${record.Id} is not running`);
    });
    publish(this.ctx, record, 'resize', { height: String(height), width: String(width) });
  }

  top(idOrName: string, psArgs: string): Promise<TopResult> {
    return containerTop(this.ctx, idOrName, psArgs);
  }

  async createExec(idOrName: string, body: Record<string, unknown>): Promise<{ Id: string }> {
    return { Id: this.execs.create(idOrName, body as ExecCreateBody).id };
  }

  close(): void {
    this.health.close();
  }
}
