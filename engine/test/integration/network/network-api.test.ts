import { execFileSync } from 'node:child_process';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startBerthd, type RunningBerthd } from '../../../../scripts/src/testrig/index.js';
import { apiRequest } from '../http.js';

// Networks created without a subnet come from this pool; 10.214/16 is routed nowhere on the test hosts.
const POOL = 'base=10.214.0.0/16,size=24';

interface NetworkJson {
  Id: string;
  Name: string;
  Internal: boolean;
  IPAM: { Config: Array<Record<string, string>> };
  Options: Record<string, string>;
  [key: string]: unknown;
}

let berthd: RunningBerthd;
const cli = (args: string[]) => docker(args, { host: berthd.dockerHost });
const links = (): string => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
const rules = (): string => execFileSync('iptables-save', { encoding: 'utf8' });

beforeAll(async () => {
  berthd = await startBerthd({ extraArgs: ['--default-address-pool', POOL] });
});
afterAll(async () => {
  await berthd?.stop();
});

describe('docker network against berthd', () => {
  it('lists the predefined networks on berthd’s own bridge, never docker0', async () => {
    const ls = await cli(['network', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Scope}}']);
    expect(ls.code).toBe(0);
    expect(ls.stdout.trim().split('\n').sort()).toEqual(['bridge bridge local', 'host host local', 'none null local']);
    const inspect = await cli(['network', 'inspect', 'bridge']);
    const [bridge] = JSON.parse(inspect.stdout) as NetworkJson[];
    expect(bridge?.IPAM.Config).toEqual([{ Subnet: berthd.bridge.subnet, Gateway: berthd.bridge.bip.split('/')[0] }]);
    expect(bridge?.Options['com.docker.network.bridge.name']).toBe(berthd.bridge.bridgeName);
    expect(links()).toContain(`${berthd.bridge.bridgeName}:`);
  });

  it('creates a user network with subnet, gateway, ip-range, labels and options; inspects; removes', async () => {
    const create = await cli([
      'network', 'create', '--subnet', '10.214.200.0/24', '--gateway', '10.214.200.254', '--ip-range', '10.214.200.128/25',
      '--label', 'tier=web', '--attachable', '-o', 'com.docker.network.driver.mtu=1400', 'front',
    ]);
    expect(create.stderr).toBe('');
    expect(create.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    const id = create.stdout.trim();
    const [net] = JSON.parse((await cli(['network', 'inspect', 'front'])).stdout) as NetworkJson[];
    expect(net).toMatchObject({
      Name: 'front', Id: id, Scope: 'local', Driver: 'bridge', EnableIPv4: true, EnableIPv6: false, Internal: false, Attachable: true,
      IPAM: { Driver: 'default', Config: [{ Subnet: '10.214.200.0/24', IPRange: '10.214.200.128/25', Gateway: '10.214.200.254' }] },
      Containers: {}, Labels: { tier: 'web' }, Options: { 'com.docker.network.driver.mtu': '1400' },
    });
    const bridge = `br-${id.slice(0, 12)}`;
    expect(execFileSync('ip', ['-o', 'addr', 'show', 'dev', bridge], { encoding: 'utf8' })).toContain('10.214.200.254/24');
    expect(execFileSync('ip', ['-o', 'link', 'show', 'dev', bridge], { encoding: 'utf8' })).toContain('mtu 1400');
    expect(rules()).toContain(`-A BERTH-POSTROUTING -s 10.214.200.0/24 ! -o ${bridge}`);

    const dup = await cli(['network', 'create', 'front']);
    expect(dup.stderr).toContain('Error response from daemon: network with name front already exists');
    const overlap = await cli(['network', 'create', '--subnet', '10.214.200.0/25', 'other']);
    expect(overlap.stderr).toContain('invalid pool request: Pool overlaps with other one on this address space');

    const rm = await cli(['network', 'rm', id.slice(0, 8)]);
    expect(rm.code).toBe(0);
    expect(links()).not.toContain(`${bridge}:`);
    expect(rules()).not.toContain(bridge);
    expect((await cli(['network', 'inspect', 'front'])).stderr).toContain('network front not found');
  });

  it('allocates a free subnet from the default address pools and makes internal networks without egress', async () => {
    const a = await cli(['network', 'create', 'auto-a']);
    const b = await cli(['network', 'create', '--internal', 'auto-b']);
    expect(a.code + b.code).toBe(0);
    const [na, nb] = JSON.parse((await cli(['network', 'inspect', 'auto-a', 'auto-b'])).stdout) as NetworkJson[];
    expect(na?.IPAM.Config[0]?.Subnet).toMatch(/^10\.214\.\d+\.0\/24$/);
    expect(nb?.IPAM.Config[0]?.Subnet).not.toBe(na?.IPAM.Config[0]?.Subnet);
    expect(nb?.Internal).toBe(true);
    expect(rules()).toContain(`-A BERTH-FORWARD -i br-${(nb?.Id ?? '').slice(0, 12)} ! -o br-${(nb?.Id ?? '').slice(0, 12)} -m comment`);
  });

  it('names the bridge from com.docker.network.bridge.name, and never takes docker0', async () => {
    const name = `bt${berthd.bridge.bridgeName.slice(2, 8)}x`;
    const r = await cli(['network', 'create', '-o', `com.docker.network.bridge.name=${name}`, 'named']);
    expect(r.code).toBe(0);
    expect(links()).toContain(`${name}:`);
    expect((await cli(['network', 'create', '-o', 'com.docker.network.bridge.name=docker0', 'hijack'])).stderr).toContain(
      'bridge docker0 belongs to dockerd',
    );
    expect((await cli(['network', 'rm', 'named'])).code).toBe(0);
    expect(links()).not.toContain(`${name}:`);
  });

  it('filters the list as dockerd does', async () => {
    await cli(['network', 'create', '--label', 'app=x', 'labelled']);
    const byLabel = await cli(['network', 'ls', '--filter', 'label=app=x', '--format', '{{.Name}}']);
    expect(byLabel.stdout.trim()).toBe('labelled');
    const custom = await cli(['network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}}']);
    expect(custom.stdout.trim().split('\n').sort()).toEqual(['auto-a', 'auto-b', 'labelled']);
    const builtin = await cli(['network', 'ls', '--filter', 'type=builtin', '-q']);
    expect(builtin.stdout.trim().split('\n')).toHaveLength(3);
    const dangling = await cli(['network', 'ls', '--filter', 'dangling=true', '--format', '{{.Name}}']);
    expect(dangling.stdout.trim().split('\n').sort()).toEqual(['auto-a', 'auto-b', 'labelled']);
    const bad = await cli(['network', 'ls', '--filter', 'nope=1']);
    expect(bad.stderr).toContain("invalid filter 'nope'");
  });

  it('refuses to remove predefined networks with 403, and prunes unused custom networks', async () => {
    const rm = await apiRequest(berthd.socket, 'DELETE', '/v1.51/networks/bridge');
    expect(rm.status).toBe(403);
    expect(JSON.parse(rm.body)).toEqual({ message: 'bridge is a pre-defined network and cannot be removed' });
    const prune = await cli(['network', 'prune', '-f', '--filter', 'label=app=x']);
    expect(prune.stdout).toContain('Deleted Networks:\nlabelled');
    const all = await cli(['network', 'prune', '-f']);
    expect(all.stdout).toMatch(/auto-a/);
    const left = await cli(['network', 'ls', '--format', '{{.Name}}']);
    expect(left.stdout.trim().split('\n').sort()).toEqual(['bridge', 'host', 'none']);
  });

  it('answers connect for a missing container with a 404 and dockerode sees the same networks', async () => {
    const r = await cli(['network', 'connect', 'bridge', 'nosuch']);
    expect(r.stderr).toContain('No such container: nosuch');
    const client = new Docker({ socketPath: berthd.socket });
    const created = await client.createNetwork({ Name: 'sdk-net', Labels: { 'com.docker.compose.project': 'p' } });
    const list = await client.listNetworks({ filters: { label: ['com.docker.compose.project=p'] } });
    expect(list.map((n) => n.Name)).toEqual(['sdk-net']);
    const info = (await created.inspect()) as { Id: string; IPAM: { Config: Array<{ Subnet: string }> } };
    expect(info.IPAM.Config[0]?.Subnet).toMatch(/^10\.214\./);
    await created.remove();
    await expect(client.getNetwork('sdk-net').inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

});
