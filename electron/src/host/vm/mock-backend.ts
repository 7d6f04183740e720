import { EventEmitter } from 'node:events';
import {
  restartReasons,
  START_STAGES,
  VmStartError,
  type ExecResult,
  type VmBackend,
  type VmBackendEvents,
  type VmError,
  type VmSettings,
  type VmState,
  type VmStatus,
} from './backend.js';

export interface MockBackendOptions {
  /** Milliseconds each start stage takes (0: next tick). */
  stageMs?: number;
  /** Makes start() fail at this stage with this error code. */
  failAt?: { stage: (typeof START_STAGES)[number]; code: VmError['code'] };
  exec?: (argv: string[]) => ExecResult;
}

/** A VM backend without a VM, for the UI and unit tests: same states, stages and errors as the real ones. */
export class MockBackend extends EventEmitter<VmBackendEvents> implements VmBackend {
  readonly name = 'mock';
  private state: VmState = 'stopped';
  private settings: VmSettings | undefined;
  private error: VmError | undefined;
  readonly calls: string[] = [];

  constructor(private readonly opts: MockBackendOptions = {}) {
    super();
  }

  status(): VmStatus {
    return { state: this.state, ...(this.settings ? { settings: this.settings, accel: 'tcg' as const, pid: 4242, sshPort: 2222 } : {}), ...(this.error ? { error: this.error } : {}) };
  }

  private set(state: VmState): void {
    this.state = state;
    this.emit('state', state);
  }

  async start(settings: VmSettings): Promise<void> {
    this.calls.push('start');
    this.error = undefined;
    this.set('starting');
    const t0 = Date.now();
    for (const stage of START_STAGES) {
      this.emit('progress', { stage, phase: 'begin', elapsedMs: Date.now() - t0 });
      await new Promise((r) => setTimeout(r, this.opts.stageMs ?? 0));
      if (this.opts.failAt?.stage === stage) {
        this.error = { code: this.opts.failAt.code, stage, message: `mock failure at ${stage}` };
        this.set('error');
        this.emit('failed', this.error);
        throw new VmStartError(this.error);
      }
      this.emit('progress', { stage, phase: 'end', elapsedMs: Date.now() - t0 });
    }
    this.settings = settings;
    this.set('running');
  }

  async stop(): Promise<void> {
    this.calls.push('stop');
    if (this.state === 'stopped') return;
    this.set('stopping');
    this.settings = undefined;
    this.set('stopped');
  }

  async restart(settings: VmSettings): Promise<void> {
    await this.stop();
    await this.start(settings);
  }

  async reset(): Promise<void> {
    await this.stop();
    this.calls.push('reset');
  }

  async attach(): Promise<boolean> {
    return this.state === 'running';
  }

  detach(): void {
    this.calls.push('detach');
  }

  /** Simulates the VM dying under us. */
  crash(consoleTail = 'Kernel panic'): void {
    this.settings = undefined;
    this.error = { code: 'crashed', message: 'the VM stopped unexpectedly', consoleTail };
    this.set('error');
    this.emit('failed', this.error);
  }

  async exec(argv: string[]): Promise<ExecResult> {
    if (this.state !== 'running') throw new Error('the VM is not running');
    return this.opts.exec?.(argv) ?? { code: 0, stdout: '', stderr: '' };
  }

  restartReasons(next: VmSettings): string[] {
    return restartReasons(this.settings, next);
  }
}
