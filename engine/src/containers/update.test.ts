import { describe, expect, it } from 'vitest';
import { checkCpuset, updateResources } from './update.js';

describe('update helpers', () => {
  it('checks cpusets against the CPUs there are, with dockerd\'s messages', () => {
    expect(() => checkCpuset('0-1', 2)).not.toThrow();
    expect(() => checkCpuset('0-3', 2)).toThrow('Requested CPUs are not available - requested 0-3, available: 0-1');
    expect(() => checkCpuset('a', 2)).toThrow('Invalid value a for cpuset cpus');
  });

  it('sends the runtime only what the request changes', () => {
    expect(updateResources({ Memory: 64 << 20, NanoCpus: 5e8, PidsLimit: 0 })).toEqual({
      memory: { limit: 64 << 20 },
      cpu: { period: 100_000, quota: 50_000 },
      pids: { limit: -1 },
    });
    expect(updateResources({ RestartPolicy: { Name: 'always' } })).toEqual({});
  });
});
