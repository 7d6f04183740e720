import { describe, expect, it } from 'vitest';
import { allocateAddress, chooseSubnet, macForIp, normalizeIpamConfig } from './ipam.js';
import { formatCidr4, parseCidr4 } from './ipv4.js';
import type { NetworkRecord } from './types.js';

function net(config: NetworkRecord['ipam']['config'], endpoints: string[] = [], lastAllocated?: string): NetworkRecord {
  return {
    id: 'a'.repeat(64), name: 'n', created: '', driver: 'bridge', internal: false, attachable: false, enableIPv6: false,
    ipam: { driver: 'default', options: {}, config }, options: {}, labels: {}, predefined: false, userSubnet: true, lastAllocated,
    endpoints: Object.fromEntries(endpoints.map((ip, i) => [`c${i}`, { endpointId: '', containerId: `c${i}`, containerName: '', ipv4: ip, prefix: 24, macAddress: '', aliases: [], dnsNames: [], gateway: '' }])),
  };
}

describe('IPAM', () => {
  it('chooses the first pool subnet that overlaps nothing taken', () => {
    const taken = [parseCidr4('172.30.0.0/24'), parseCidr4('172.30.1.0/24')];
    expect(formatCidr4(chooseSubnet([{ base: '172.30.0.0/16', size: 24 }], taken))).toBe('172.30.2.0/24');
    expect(() => chooseSubnet([{ base: '10.1.0.0/24', size: 24 }], [parseCidr4('10.0.0.0/8')])).toThrow('all predefined address pools have been fully subnetted');
  });

  it('completes the gateway and refuses host bits and foreign ranges', () => {
    expect(normalizeIpamConfig({ Subnet: '10.9.0.0/16' })).toEqual({ Subnet: '10.9.0.0/16', Gateway: '10.9.0.1' });
    expect(() => normalizeIpamConfig({ Subnet: '10.9.0.5/16' })).toThrow('invalid subnet 10.9.0.5/16: it should be 10.9.0.0/16');
    expect(() => normalizeIpamConfig({ Subnet: '10.9.0.0/16', Gateway: '10.10.0.1' })).toThrow(/not in subnet/);
    expect(() => normalizeIpamConfig({ Subnet: '10.9.0.0/16', IPRange: '10.8.0.0/24' })).toThrow(/within subnet/);
  });

  it('never hands out an address in use, the gateway, or the network/broadcast address', () => {
    const n = net([{ Subnet: '10.9.0.0/29', Gateway: '10.9.0.1' }], ['10.9.0.2', '10.9.0.3']);
    expect(allocateAddress(n).ip).toBe('10.9.0.4');
    n.endpoints.x = { ...(n.endpoints.c0 as NetworkRecord['endpoints'][string]), ipv4: '10.9.0.4' };
    n.endpoints.y = { ...(n.endpoints.c0 as NetworkRecord['endpoints'][string]), ipv4: '10.9.0.5' };
    n.endpoints.z = { ...(n.endpoints.c0 as NetworkRecord['endpoints'][string]), ipv4: '10.9.0.6' };
    expect(() => allocateAddress(n)).toThrow(/no available IPv4 addresses/);
  });

  it('allocates round-robin after the last address, so a released one is not reused at once', () => {
    const n = net([{ Subnet: '10.9.0.0/24', Gateway: '10.9.0.1' }], [], '10.9.0.7');
    expect(allocateAddress(n).ip).toBe('10.9.0.8');
  });

  it('allocates inside the ip-range and honours a requested address', () => {
    const n = net([{ Subnet: '10.9.0.0/16', IPRange: '10.9.5.0/24', Gateway: '10.9.0.1' }], ['10.9.5.9']);
    // 10.9.5.0 is a host address of the /16: only the subnet's own network and broadcast addresses are skipped.
    expect(allocateAddress(n).ip).toBe('10.9.5.0');
    expect(allocateAddress(n, '10.9.7.7')).toEqual({ ip: '10.9.7.7', prefix: 16, gateway: '10.9.0.1' });
    expect(() => allocateAddress(n, '10.9.5.9')).toThrow('Address already in use');
    expect(() => allocateAddress(n, '10.1.0.1')).toThrow("Invalid Address 10.1.0.1: It does not belong to any of this network's subnets");
  });

  it('derives the MAC from the address', () => {
    expect(macForIp('172.18.0.2')).toBe('02:42:ac:12:00:02');
  });
});
