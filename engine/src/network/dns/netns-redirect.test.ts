import { describe, expect, it } from 'vitest';
import { redirectScript } from './netns-redirect.js';

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
});
