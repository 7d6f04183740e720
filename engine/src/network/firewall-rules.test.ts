import { describe, expect, it } from 'vitest';
import { networkRules, portRules } from './firewall-rules.js';
import { RestoreBatch, TablesSnapshot, ruleTag, splitRuleLine, tagOfRuleLine } from './iptables.js';

describe('firewall rules', () => {
  it('tags rules per engine and owner, and finds the tag in iptables -S output', () => {
    expect(ruleTag('0123abcd4567', 'nabcdef012345')).toBe('berth:0123abcd4567:nabcdef012345');
    const line = '-A BERTH-POSTROUTING -s 10.213.4.0/24 ! -o bt1 -m comment --comment "berth:e1:nabc" -j MASQUERADE';
    expect(tagOfRuleLine(line)).toBe('berth:e1:nabc');
    expect(tagOfRuleLine('-A BERTH-POSTROUTING -j MASQUERADE')).toBeUndefined();
    expect(splitRuleLine(line)).toEqual(['-A', 'BERTH-POSTROUTING', '-s', '10.213.4.0/24', '!', '-o', 'bt1', '-m', 'comment', '--comment', 'berth:e1:nabc', '-j', 'MASQUERADE']);
  });

  it('gives an internal network no egress and no masquerade', () => {
    const rules = networkRules({ bridge: 'br-x', subnet: '10.9.0.0/24', internal: true, icc: true, masquerade: true });
    const text = rules.map((r) => `${r.table} ${r.chain} ${r.args.join(' ')}`);
    expect(text).toContain('filter BERTH-FORWARD -i br-x ! -o br-x -j DROP');
    expect(text.some((t) => t.includes('-s 10.9.0.0/24') && t.includes('MASQUERADE'))).toBe(false);
    const open = networkRules({ bridge: 'br-x', subnet: '10.9.0.0/24', internal: false, icc: false, masquerade: true }).map((r) => r.args.join(' '));
    expect(open).toContain('-i br-x ! -o br-x -j ACCEPT');
    expect(open).toContain('-i br-x -o br-x -j DROP');
    expect(open).toContain('-s 10.9.0.0/24 ! -o br-x -j MASQUERADE');
  });

  it('publishes a port with DNAT bound to the host address, an accept for DNATed traffic, and hairpin NAT', () => {
    const rules = portRules({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, containerIp: '10.9.0.2', containerPort: 80, bridge: 'br-x' });
    expect(rules.map((r) => `${r.chain} ${r.args.join(' ')}`)).toEqual([
      'BERTH-DNAT -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.9.0.2:80',
      'BERTH-PORTS -d 10.9.0.2/32 -o br-x -p tcp -m tcp --dport 80 -m conntrack --ctstate DNAT -j ACCEPT',
      'BERTH-POSTROUTING -s 10.9.0.2/32 -d 10.9.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE',
    ]);
    expect(portRules({ proto: 'udp', hostIp: '0.0.0.0', hostPort: 53, containerIp: '10.9.0.2', containerPort: 53, bridge: 'b' })[0]?.args[0]).toBe('-p');
  });
});

describe('start-up', () => {
  it("removes a retired chain with the jumps into it, whoever's rules it holds", () => {
    const snap = TablesSnapshot.parse(
      ['*filter', ':INPUT ACCEPT [0:0]', ':BERTH-INPUT - [0:0]', '-A INPUT -j BERTH-INPUT', '-A INPUT -p tcp -j ACCEPT',
        '-A BERTH-INPUT -d 172.30.0.1/32 ! -i br-x -p udp -m udp --dport 53 -m comment --comment "berth:dead:nx" -j DROP', 'COMMIT', ''].join('\n'),
    );
    const batch = new RestoreBatch();
    batch.removeChain(snap, 'filter', 'BERTH-INPUT', ['INPUT']);
    expect(batch.script()).toBe('*filter\n-D INPUT -j BERTH-INPUT\n-F BERTH-INPUT\n-X BERTH-INPUT\nCOMMIT\n');
    const none = new RestoreBatch();
    none.removeChain(TablesSnapshot.parse('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n'), 'filter', 'BERTH-INPUT', ['INPUT']);
    expect(none.empty).toBe(true);
  });
});
