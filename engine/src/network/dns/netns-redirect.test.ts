import { describe, expect, it } from 'vitest';
import { redirectScript, redirectShell } from './netns-redirect.js';

describe("the redirect of a container's 127.0.0.11", () => {
  const redirect = { target: { ip: '10.216.50.1', port: 53 }, source: '10.216.50.2' };

  it('sends DNS for 127.0.0.11 to the resolver on the gateway, from the container address, and guards loopback', () => {
    const lines = redirectScript(redirect, { jumps: true }).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        '-A OUTPUT -d 127.0.0.11/32 -j BERTH_DNS_OUTPUT',
        '-A BERTH_DNS_OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10.216.50.1:53',
        '-A BERTH_DNS_OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination 10.216.50.1:53',
        '-A BERTH_DNS_POSTROUTING -s 127.0.0.0/8 -d 10.216.50.1/32 -p udp -m udp --dport 53 -j SNAT --to-source 10.216.50.2',
        '-A INPUT -d 127.0.0.0/8 ! -i lo -j BERTH_DNS_INPUT',
        '-A BERTH_DNS_INPUT -m conntrack ! --ctstate RELATED,ESTABLISHED -j DROP',
      ]),
    );
  });

  it('retargets by flushing its own chains only, without a second jump', () => {
    const text = redirectScript({ target: { ip: '10.216.52.1', port: 5353 }, source: '10.216.52.9' }, { jumps: false });
    expect(text).toContain(':BERTH_DNS_OUTPUT - [0:0]');
    expect(text).toContain('--to-destination 10.216.52.1:5353');
    expect(text).not.toMatch(/^-A (OUTPUT|POSTROUTING|INPUT) /m);
  });

  it('adds each jump on a retarget only when it is missing, and a new namespace gets them from the script alone', () => {
    const retarget = redirectShell({ jumps: false });
    expect(retarget).toContain('iptables -w -t nat -C OUTPUT -d 127.0.0.11/32 -j BERTH_DNS_OUTPUT 2>/dev/null || iptables -w -t nat -A OUTPUT -d 127.0.0.11/32 -j BERTH_DNS_OUTPUT');
    expect(retarget).toContain('-t filter -C INPUT -d 127.0.0.0/8 ! -i lo -j BERTH_DNS_INPUT');
    expect(redirectShell({ jumps: true })).not.toContain(' -C ');
  });
});
