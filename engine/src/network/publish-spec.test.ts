import { describe, expect, it } from 'vitest';
import { portMapView } from './ports.js';
import { publishRequests } from './publish-spec.js';

describe('published port specs', () => {
  it('turns PortBindings into requests: fixed, ephemeral, ranges, host IPs, UDP', () => {
    expect(
      publishRequests(
        { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostPort: '' }], '9000/tcp': [{ HostIp: '', HostPort: '9000-9005' }] },
        [],
        false,
      ),
    ).toEqual([
      { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, proto: 'tcp' },
      { hostIp: '', hostPort: 0, containerPort: 53, proto: 'udp' },
      { hostIp: '', hostPort: 9000, hostPortEnd: 9005, containerPort: 9000, proto: 'tcp' },
    ]);
  });

  it('adds ephemeral ports for exposed but unbound ports with -P', () => {
    expect(publishRequests({ '80/tcp': [{ HostPort: '8080' }] }, ['80/tcp', '443/tcp'], true)).toEqual([
      { hostIp: '', hostPort: 8080, containerPort: 80, proto: 'tcp' },
      { hostIp: '', hostPort: 0, containerPort: 443, proto: 'tcp' },
    ]);
  });

  it('rejects bad specs', () => {
    expect(() => publishRequests({ 'abc/tcp': [] }, [], false)).toThrow('invalid port specification: "abc/tcp"');
    expect(() => publishRequests({ '80/tcp': [{ HostPort: '90-80' }] }, [], false)).toThrow('invalid hostPort: 90-80');
  });

  it("renders NetworkSettings.Ports as dockerd does: exposed ports null, published ones with their bindings", () => {
    expect(
      portMapView(['80/tcp', '443/tcp'], [{ hostIp: '0.0.0.0', hostPort: 8080, containerIp: '10.0.0.2', containerPort: 80, proto: 'tcp', bridge: 'b' }]),
    ).toEqual({ '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '443/tcp': null });
  });
});
