import { EventEmitter } from 'node:events';
import type { VmSettings } from './backend.js';
import { MockBackend, type MockBackendOptions } from './mock-backend.js';
import type { ManagedVm, VmServiceEvents } from './vm-service.js';

/**
 * A VmService without a VM (MockBackend underneath): the same events and operations, for unit tests of the
 * controller, the control server and both EngineControls, and for working on the UI without QEMU.
 */
export class MockVmService extends EventEmitter<VmServiceEvents> implements ManagedVm {
  readonly backend: MockBackend;
  engineLog: string[] = ['berthd started', 'API listening on /run/berth/berthd.sock'];

  constructor(opts: MockBackendOptions = {}, private readonly socket = '/tmp/berth-mock/docker.sock') {
    super();
    this.backend = new MockBackend(opts);
    this.backend.on('state', (s) => this.emit('state', s));
    this.backend.on('progress', (p) => this.emit('progress', p));
    this.backend.on('failed', (e) => this.emit('failed', e));
  }

  status() {
    const s = this.backend.status();
    // This process stands in for QEMU while "running", so the usage sampler reads a real process.
    return { ...s, ...(s.pid ? { pid: process.pid } : {}), socket: this.socket };
  }

  async start(settings: VmSettings): Promise<void> {
    if (await this.backend.attach()) return;
    await this.backend.start(settings);
  }

  stop(): Promise<void> {
    return this.backend.stop();
  }

  async close(opts: { stopVm: boolean }): Promise<void> {
    if (opts.stopVm) await this.backend.stop();
    else this.backend.detach();
  }

  restartReasons(next: VmSettings): string[] {
    return this.backend.restartReasons(next);
  }

  async engineLogTail(lines: number): Promise<string[]> {
    if (this.backend.status().state !== 'running') throw new Error('the VM is not running');
    return this.engineLog.slice(-lines);
  }
}
