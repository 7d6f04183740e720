import { describe, expect, it } from 'vitest';
import { formatTable } from './report.js';
import { summarize } from './stats.js';

describe('bench statistics and table', () => {
  it('takes the median of odd and even sample counts', () => {
    expect(summarize([5, 1, 3]).median).toBe(3);
    expect(summarize([4, 1, 3, 2])).toMatchObject({ median: 2.5, min: 1, max: 4 });
  });

  it('prints one row per scenario with the ratio, and a dash when there is no peer', () => {
    const s = summarize([10, 12, 11]);
    const table = formatTable({
      startedAt: '',
      host: { cpus: 2, node: 'v20', platform: 'linux' },
      berth: 'berthd 0.1.0',
      peer: 'no peer dockerd found',
      results: [
        { scenario: 'docker-version', description: '', unit: 'ms', better: 'lower', iterations: 3, berth: s, dockerd: summarize([22]), ratio: 0.5 },
        { scenario: 'ping-throughput', description: '', unit: 'req/s', better: 'higher', iterations: 3, berth: s, dockerd: null, ratio: null },
      ],
    });
    const rows = table.split('\n');
    expect(rows).toContain('peer:  no peer dockerd found');
    expect(rows.find((r) => r.startsWith('docker-version'))?.split(/\s+/)).toEqual(['docker-version', 'ms', '11.0', '22.0', '0.50', 'lower']);
    expect(rows.find((r) => r.startsWith('ping-throughput'))?.split(/\s+/)).toEqual(['ping-throughput', 'req/s', '11.0', '-', '-', 'higher']);
  });

  it('prints a dash for an engine without a figure and the reason under the table', () => {
    const table = formatTable({
      startedAt: '',
      host: { cpus: 2, node: 'v20', platform: 'linux' },
      berth: 'berthd 0.1.0',
      peer: 'dockerd 20.10',
      results: [
        {
          scenario: 'tcp-throughput', description: '', unit: 'MB/s', better: 'higher', iterations: 3,
          berth: summarize([900]), dockerd: null, ratio: null, notes: ['dockerd not measured: no bridge'],
        },
      ],
    });
    const rows = table.split('\n');
    expect(rows.find((r) => r.startsWith('tcp-throughput'))?.split(/\s+/)).toEqual(['tcp-throughput', 'MB/s', '900', '-', '-', 'higher']);
    expect(rows.slice(-2)).toEqual(['notes:', '  tcp-throughput: dockerd not measured: no bridge']);
  });
});
