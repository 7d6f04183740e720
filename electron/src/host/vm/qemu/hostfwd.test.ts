import { describe, expect, it } from 'vitest';
import { hostfwdAdd, hostfwdRemove, parseHostForwards } from './hostfwd.js';

describe('hostfwd rules', () => {
  it('sends a wildcard port to the VM\'s own address and a loopback one to the VM\'s loopback', () => {
    expect(hostfwdAdd({ proto: 'udp', hostIp: '0.0.0.0', hostPort: 27015 })).toBe('hostfwd_add net0 udp:0.0.0.0:27015-:27015');
    expect(hostfwdAdd({ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 })).toBe('hostfwd_add net0 udp:127.0.0.1:5353-127.0.0.1:5353');
    expect(hostfwdAdd({ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 })).toBe('hostfwd_add net0 tcp:0.0.0.0:8080-:8080');
    expect(hostfwdAdd({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 })).toBe('hostfwd_add net0 tcp:127.0.0.1:8080-127.0.0.1:8080');
    expect(hostfwdRemove({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 })).toBe('hostfwd_remove net0 tcp:127.0.0.1:8080');
    expect(hostfwdRemove({ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 })).toBe('hostfwd_remove net0 udp:127.0.0.1:5353');
  });

  it('lists the rules of `info usernet` (QEMU 7.2 output), not its connections', () => {
    const info = [
      'Hub -1 (net0):',
      '  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ',
      '  TCP[ESTABLISHED]   19       127.0.0.1 17000       10.0.2.15 17000     0     0',
      '  TCP[HOST_FORWARD]  17               * 17000       10.0.2.15 17000     0     0',
      '  TCP[HOST_FORWARD]  13       127.0.0.1 35821       10.0.2.15    22     0     0',
      '  UDP[HOST_FORWARD]  34       127.0.0.1 15353       127.0.0.1 15353     0     0',
      '  UDP[236 sec]       40       10.0.2.15 40123        10.0.2.3    53     0     0',
      '',
    ].join('\r\n');
    expect(parseHostForwards(info)).toEqual([
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 17000 },
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 35821 },
      { proto: 'udp', hostIp: '127.0.0.1', hostPort: 15353 },
    ]);
  });
});
