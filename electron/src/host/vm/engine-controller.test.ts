import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { berthPaths } from '../paths.js';
import { vmEngineController } from './engine-controller.js';

describe('vmEngineController', () => {
  it('runs operations one at a time, in order, and keeps going after a failure', async () => {
    const home = mkdtempSync(path.join(os.tmpdir(), 'berth-ctl-'));
    const ctl = vmEngineController(berthPaths({ BERTH_HOME: home }));
    const order: string[] = [];
    let running = false;
    // Stand in for the VM: record calls, fail the first stop.
    Object.assign(ctl.service, {
      status: () => ({ state: running ? 'running' : 'stopped' }),
      start: async () => {
        order.push('start');
        await new Promise((r) => setTimeout(r, 20));
        running = true;
      },
      stop: async () => {
        order.push('stop');
        if (order.filter((o) => o === 'stop').length === 1) throw new Error('busy');
        running = false;
      },
      restart: async () => {
        order.push('restart');
      },
    });
    const results = await Promise.allSettled([ctl.start(), ctl.stop(), ctl.start(), ctl.restart(), ctl.stop()]);
    expect(order).toEqual(['start', 'stop', 'restart', 'stop']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  });
});
