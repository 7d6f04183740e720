import { EventEmitter } from 'node:events';
import type { VmError, VmState } from './backend.js';
import { stageTitle, startProgress } from './stage-text.js';
import type { ManagedVm } from './vm-service.js';

/**
 * A start, restart or factory reset spans several VM states (stop → delete → boot → serving the host socket); the
 * UI shows it as one "starting" that ends when the engine socket is served, not when the VM itself answers.
 */
export type VmOperation = 'start' | 'restart' | 'reset';

/** The VM as the dashboard shows it: lifecycle state, what it is doing, how far, and why it failed. */
export interface VmView {
  state: VmState;
  operation?: VmOperation;
  /** A sentence: the start stage, or the step of a restart/reset. */
  stage?: string;
  /** 0..1 through a start. */
  progress?: number;
  error?: VmError;
  /** What to do, when the host knows better than the generic advice (e.g. its host process is gone). */
  hint?: string;
}

/**
 * Follows a VM service's events and keeps one VmView, emitting `change` on each step. Both hosts use it: the
 * Electron main process directly, `berth daemon` to stream it to dashboards over the control socket.
 */
export class VmStatusFeed extends EventEmitter<{ change: [VmView] }> {
  private current: VmView;

  constructor(private readonly vm: ManagedVm) {
    super();
    const s = vm.status();
    this.current = { state: s.state, ...(s.error ? { error: s.error } : {}) };
    vm.on('state', (state) => {
      const { operation } = this.current;
      const base: VmView = { state, ...(operation ? { operation } : {}) };
      if (state === 'running' && operation) this.set({ state: 'starting', operation, stage: 'Connecting to the engine', progress: 1 });
      else if (state === 'starting') this.set({ ...base, stage: 'Starting the VM', progress: 0 });
      else if (state === 'stopping') this.set({ ...base, stage: 'Stopping the VM' });
      else if (state === 'error') this.set({ state, ...(this.vm.status().error ? { error: this.vm.status().error } : {}) });
      else this.set({ ...base, ...(operation && state === 'stopped' ? { stage: this.current.stage ?? 'Stopping the VM' } : {}) });
    });
    vm.on('progress', (p) => {
      if (this.current.state !== 'starting') return;
      this.set({ ...this.current, stage: p.phase === 'begin' ? stageTitle(p.stage) : this.current.stage ?? stageTitle(p.stage), progress: startProgress(p) });
    });
    vm.on('failed', (error) => this.set({ state: 'error', error }));
  }

  view(): VmView {
    return this.current;
  }

  /** Runs a start, restart or reset, so the states in between read as one operation. */
  async during<T>(operation: VmOperation, fn: () => Promise<T>): Promise<T> {
    this.set({ state: this.current.state, operation, stage: this.current.state === 'running' && operation !== 'start' ? 'Stopping the VM' : 'Starting the VM' });
    try {
      return await fn();
    } finally {
      const s = this.vm.status();
      if (s.state === 'error') this.set({ state: 'error', ...(s.error ? { error: s.error } : {}) });
      else this.set({ state: s.state });
    }
  }

  /** A step of the running operation that the VM itself does not report (deleting its data). */
  step(stage: string): void {
    this.set({ ...this.current, stage });
  }

  private set(next: VmView): void {
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    this.emit('change', next);
  }
}
