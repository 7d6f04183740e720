import { describe, expect, it } from 'vitest';
import { expandPorts, parseDuration } from './dispatch.js';
import { goQuoted } from './state.js';

describe('instruction helpers', () => {
  it('reads Go durations for HEALTHCHECK', () => {
    expect(parseDuration('interval', '30s')).toBe(30e9);
    expect(parseDuration('interval', '1m30s')).toBe(90e9);
    expect(parseDuration('timeout', '1.5s')).toBe(1.5e9);
    expect(() => parseDuration('interval', '10')).toThrow('time: invalid duration "10"');
  });

  it('expands EXPOSE specs as nat.ParsePortSpecs does', () => {
    expect(expandPorts('80')).toEqual(['80/tcp']);
    expect(expandPorts('53/UDP')).toEqual(['53/udp']);
    expect(expandPorts('8000-8002/tcp')).toEqual(['8000/tcp', '8001/tcp', '8002/tcp']);
    expect(() => expandPorts('x')).toThrow('Invalid containerPort: x');
  });

  it('writes CMD into history as Go %q does', () => {
    expect(goQuoted(['nginx', '-g', 'daemon off;'])).toBe('["nginx" "-g" "daemon off;"]');
  });
});
