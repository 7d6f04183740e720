import { describe, expect, it } from 'vitest';
import { CONTAINER_ROWS } from '../../test/fake-host.js';
import { filterContainers, groupContainers, portUrl, sortContainers } from './grouping.js';
import { LogBuffer, MAX_LOG_LINES, stripAnsi } from './log-buffer.js';
import { rates } from './stats-series.js';

describe('containers list logic', () => {
  it('groups Compose projects first, standalone containers last', () => {
    const groups = groupContainers(sortContainers(CONTAINER_ROWS, 'name'));
    expect(groups.map((g) => [g.project, g.rows.map((r) => r.name), g.running])).toEqual([
      ['shop', ['shop-db-1', 'shop-web-1'], 2],
      [undefined, ['happy_turing'], 0],
    ]);
  });

  it('searches names, images, projects and ids; sorts running first', () => {
    expect(filterContainers(CONTAINER_ROWS, 'POSTGRES').map((c) => c.name)).toEqual(['shop-db-1']);
    expect(filterContainers(CONTAINER_ROWS, 'shop').map((c) => c.name)).toEqual(['shop-web-1', 'shop-db-1']);
    expect(filterContainers(CONTAINER_ROWS, 'f00dface').map((c) => c.name)).toEqual(['happy_turing']);
    expect(sortContainers(CONTAINER_ROWS, 'state').map((c) => c.state)).toEqual(['running', 'running', 'exited']);
  });

  it('links published ports to where the user can open them', () => {
    expect(portUrl({ publicPort: 8080, ip: '0.0.0.0' })).toBe('http://localhost:8080');
    expect(portUrl({ publicPort: 8443, ip: '127.0.0.2' })).toBe('http://127.0.0.2:8443');
    expect(portUrl({ publicPort: 81, ip: '::1' })).toBe('http://[::1]:81');
    expect(portUrl({})).toBeUndefined();
  });
});

describe('log buffer', () => {
  it('keeps at most MAX_LOG_LINES and searches what the user sees, not the escapes', () => {
    const b = new LogBuffer();
    b.append(Array.from({ length: MAX_LOG_LINES + 10 }, (_, i) => ({ stream: 'stdout' as const, text: `\u001b[31mline\u001b[0m ${i}` })));
    expect(b.length).toBe(MAX_LOG_LINES);
    expect(stripAnsi(b.all()[0]!.text)).toBe('line 10');
    expect(b.filter('line 199999')).toHaveLength(1);
    expect(b.filter('31m')).toHaveLength(0);
  });
});

describe('stats rates', () => {
  it('turns byte counters into per-second rates', () => {
    const s = (at: number, rx: number, rd: number) => ({ at, cpuPercent: 0, memoryBytes: 0, memoryLimitBytes: 0, netRxBytes: rx, netTxBytes: 0, blockReadBytes: rd, blockWriteBytes: 0, pids: 1 });
    expect(rates([s(0, 0, 0), s(2000, 4000, 1000), s(3000, 100, 1000)])).toEqual([
      { at: 2000, netPerSec: 2000, blockPerSec: 500 },
      { at: 3000, netPerSec: 0, blockPerSec: 0 },
    ]);
  });
});
