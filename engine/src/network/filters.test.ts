import { describe, expect, it } from 'vitest';
import { Filters } from '../base/filters.js';
import { networkMatcher, pruneMatcher } from './filters.js';
import type { NetworkRecord } from './types.js';

function rec(name: string, extra: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    id: `${name.padEnd(12, '0')}${'f'.repeat(52)}`.slice(0, 64), name, created: '2026-01-01T00:00:00Z', driver: 'bridge', internal: false,
    attachable: false, enableIPv6: false, ipam: { driver: 'default', options: {}, config: [] }, options: {}, labels: {}, predefined: false,
    userSubnet: false, endpoints: {}, ...extra,
  };
}

const nets = [
  rec('bridge', { predefined: true }),
  rec('host', { predefined: true, driver: 'host' }),
  rec('front', { labels: { tier: 'web' } }),
  rec('back', { endpoints: { c1: {} as NetworkRecord['endpoints'][string] } }),
];

const names = (raw: string) => nets.filter(networkMatcher(Filters.parse(raw))).map((n) => n.name);

describe('network list filters', () => {
  it('filters by type, driver, label, name pattern and dangling', () => {
    expect(names('{"type":["custom"]}')).toEqual(['front', 'back']);
    expect(names('{"type":["builtin"]}')).toEqual(['bridge', 'host']);
    expect(names('{"driver":["host"]}')).toEqual(['host']);
    expect(names('{"label":["tier=web"]}')).toEqual(['front']);
    expect(names('{"name":["ro"]}')).toEqual(['front']);
    expect(names('{"dangling":["true"]}')).toEqual(['front']);
    expect(names('{"scope":["swarm"]}')).toEqual([]);
  });

  it("rejects unknown keys and types with dockerd's message", () => {
    expect(() => names('{"foo":["x"]}')).toThrow("invalid filter 'foo'");
    expect(() => names('{"type":["odd"]}')).toThrow("invalid filter: 'type'='odd'");
  });

  it('prunes only custom networks without endpoints', () => {
    expect(nets.filter(pruneMatcher(Filters.parse(''))).map((n) => n.name)).toEqual(['front']);
    expect(nets.filter(pruneMatcher(Filters.parse('{"label!":["tier"]}'))).map((n) => n.name)).toEqual([]);
  });
});
