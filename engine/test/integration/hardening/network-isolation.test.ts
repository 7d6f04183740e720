// Findings 8 and 9 of issue 17. 8: the embedded DNS of a user network listens on its gateway, an address of the
// host, so any host user or a container of another network could resolve that network's names (dockerd answers
// only inside the containers' own namespaces); now only packets that come in on the network's bridge reach it.
// 9: a --subnet the host already routes through another interface was taken without a word; now it is refused.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { createLocalUser, type LocalUser } from './local-user.js';

let rig: ContainerRig;
let user: LocalUser;
let gateway: string;
let targetIp: string;
const dummy = `bd${randomBytes(3).toString('hex')}`;
let dummySubnet = '';

beforeAll(async () => {
  rig = await startContainerRig();
  user = createLocalUser();
  await rig.ok(['network', 'create', 'private']);
  await rig.ok(['network', 'create', 'other']);
  await rig.ok(['run', '-d', '--name', 'target', '--network', 'private', rig.busybox, 'sleep', '3600']);
  gateway = await rig.ok(['network', 'inspect', '--format', '{{(index .IPAM.Config 0).Gateway}}', 'private']);
  targetIp = await rig.ok(['inspect', '--format', '{{.NetworkSettings.Networks.private.IPAddress}}', 'target']);
}, 180_000);
afterAll(async () => {
  if (dummySubnet) execFileSync('ip', ['link', 'del', dummy], { stdio: 'ignore' });
  user?.remove();
  await rig?.stop();
});

/** Asks `server` for `name`'s A record as the unprivileged host user (Node's resolver, one try of 2 s). */
function resolveAsUser(server: string, name: string) {
  const script = `const r=new (require('dns').promises.Resolver)({timeout:2000,tries:1});r.setServers([${JSON.stringify(server)}]);` +
    `r.resolve4(${JSON.stringify(name)}).then(a=>console.log('answer '+a.join(',')),e=>console.log('error '+e.code))`;
  return user.run([process.execPath, '-e', script]);
}

describe("a network's embedded DNS", () => {
  it('answers its own containers', async () => {
    const out = await rig.ok(['run', '--rm', '--network', 'private', rig.busybox, 'nslookup', 'target']);
    expect(out).toContain(targetIp);
  });

  it('does not answer an unprivileged host user', async () => {
    const r = await resolveAsUser(gateway, 'target');
    expect(r.stdout).not.toContain(targetIp);
    expect(r.stdout).toMatch(/^error /);
  });

  it('does not answer a container of another network', async () => {
    const r = await rig.docker(['run', '--rm', '--network', 'other', rig.busybox, 'nslookup', 'target', gateway]);
    expect(r.stdout).not.toContain(targetIp);
    expect(r.code).not.toBe(0);
  });
});

describe('a network subnet', () => {
  it('is refused when the host already routes it through another interface', async () => {
    // An interface of the host's own (a bridge with no ports: this kernel has no dummy driver) with an address
    // stands for a LAN or a VPN the host is on.
    const third = 100 + (randomBytes(1)[0]! % 100);
    execFileSync('ip', ['link', 'add', dummy, 'type', 'bridge']);
    dummySubnet = `10.217.${third}.0/24`;
    execFileSync('ip', ['addr', 'add', `10.217.${third}.1/24`, 'dev', dummy]);
    execFileSync('ip', ['link', 'set', dummy, 'up']);
    const r = await rig.docker(['network', 'create', '--subnet', `10.217.${third}.128/25`, 'clash']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('invalid pool request: Pool overlaps with other one on this address space');
    expect(r.stderr).toContain(`routed through ${dummy}`);
    expect((await rig.docker(['network', 'inspect', 'clash'])).code).not.toBe(0);
    // Left to berthd, the pools skip it (as before).
    await rig.ok(['network', 'create', 'auto']);
  });
});
