import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocateBridge, releaseBridge } from '../../../../scripts/src/testrig/index.js';
import { Filters } from '../../../src/base/filters.js';
import { silentLogger } from '../../../src/base/log.js';
import { EventsService } from '../../../src/events/events.js';
import { setUpContainerNetwork } from '../../../src/network/container-setup.js';
import { ContainerEndpoints } from '../../../src/network/endpoints.js';
import { NetworkService } from '../../../src/network/service.js';
import { createNetns, type TestNetns } from './netns.js';

const execFileAsync = promisify(execFile);
const bridge = allocateBridge();
const engineTag = randomBytes(6).toString('hex');
let dir: string;
let svc: NetworkService;
let endpoints: ContainerEndpoints;
let upstream: dgram.Socket;
const namespaces: TestNetns[] = [];
const children: ChildProcess[] = [];
const events = new EventsService();

const links = (): string => execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' });
const berthRules = (): string[] => execFileSync('iptables-save', { encoding: 'utf8' }).split('\n').filter((l) => l.includes(`berth:${engineTag}`));

/** A stand-in for the host's resolver: answers `outside.test` so forwarding can be checked offline. */
async function startUpstream(): Promise<number> {
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    const answers = q.questions?.[0]?.name === 'outside.test' && q.questions[0].type === 'A' ? [{ type: 'A' as const, name: 'outside.test', ttl: 5, data: '192.0.2.99' }] : [];
    upstream.send(dnsPacket.encode({ type: 'response', id: q.id, questions: q.questions, answers }), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
  return upstream.address().port;
}

function netns(): TestNetns {
  const ns = createNetns();
  namespaces.push(ns);
  return ns;
}

async function lookup(ns: TestNetns, name: string, server: string): Promise<string[]> {
  const r = await ns.exec(['busybox', 'nslookup', name, server]);
  const after = r.stdout.split(/Name:\s+/).slice(1).join('\n');
  return [...after.matchAll(/Address:\s*(\d+\.\d+\.\d+\.\d+)/g)].map((m) => m[1] as string);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'berth-net-'));
  const port = await startUpstream();
  svc = new NetworkService({
    dataRoot: dir, engineTag, events, log: silentLogger(),
    defaultBridge: { bridgeName: bridge.bridgeName, bip: bridge.bip, mtu: 1500, icc: true, ipMasq: true, pools: [] },
    pools: [{ base: '10.216.0.0/16', size: 24 }],
    iptables: true, ipForward: true,
    dnsUpstreams: [{ host: '127.0.0.1', port }],
  });
  await svc.init();
  endpoints = new ContainerEndpoints(svc);
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const n of svc?.store.all() ?? []) for (const cid of Object.keys(n.endpoints)) await endpoints.detachAll(cid).catch(() => undefined);
  await svc?.close();
  for (const ns of namespaces) ns.remove();
  upstream?.close();
  releaseBridge(bridge);
  await rm(dir, { recursive: true, force: true });
});

describe('containers on networks, with real namespaces, veths, bridges and iptables', () => {
  let app: { gateway: string };
  let web: TestNetns;
  let client: TestNetns;

  it('attaches namespaces to a user network with addresses, default route and the MTU', async () => {
    const { Id } = await svc.create({ Name: 'app', IPAM: { Config: [{ Subnet: '10.216.50.0/24' }] }, Options: { 'com.docker.network.driver.mtu': '1400' } });
    app = { gateway: '10.216.50.1' };
    web = netns();
    client = netns();
    const a = await endpoints.attach({ network: 'app', containerId: 'a'.repeat(64), containerName: '/web', netnsPath: web.path, aliases: ['www'] });
    const b = await endpoints.attach({ network: Id, containerId: 'b'.repeat(64), containerName: 'client', netnsPath: client.path, ipv4Address: '10.216.50.77' });
    expect(a.settings).toMatchObject({ IPAddress: '10.216.50.2', IPPrefixLen: 24, Gateway: '10.216.50.1', MacAddress: '02:42:0a:d8:32:02', Aliases: ['www'], DNSNames: ['web', 'aaaaaaaaaaaa', 'www'] });
    expect(b.settings).toMatchObject({ IPAddress: '10.216.50.77', IPAMConfig: { IPv4Address: '10.216.50.77' } });
    const addr = await web.exec(['ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
    expect(addr.stdout).toContain('10.216.50.2/24');
    expect((await web.exec(['ip', 'link', 'show', 'eth0'])).stdout).toContain('mtu 1400');
    expect((await web.exec(['ip', 'route'])).stdout).toContain('default via 10.216.50.1 dev eth0');
    expect((await client.exec(['busybox', 'ping', '-c', '1', '-W', '2', '10.216.50.2'])).code).toBe(0);
    const inspect = svc.inspect('app') as { Containers: Record<string, { Name: string; IPv4Address: string }> };
    expect(inspect.Containers['a'.repeat(64)]).toMatchObject({ Name: 'web', IPv4Address: '10.216.50.2/24' });
    await expect(endpoints.attach({ network: 'app', containerId: 'c'.repeat(64), containerName: 'dup', netnsPath: web.path, ipv4Address: '10.216.50.77' })).rejects.toThrow('Address already in use');
    await expect(svc.remove('app')).rejects.toThrow(/has active endpoints/);
  });

  it('answers container names and aliases at 127.0.0.11 inside a namespace and forwards other names', async () => {
    expect(await endpoints.redirectResolver('b'.repeat(64), { newNamespace: true })).toBe(true);
    expect(await endpoints.redirectResolver('a'.repeat(64), { newNamespace: true })).toBe(true);
    expect(await lookup(client, 'web', '127.0.0.11')).toEqual(['10.216.50.2']);
    expect(await lookup(client, 'www', '127.0.0.11')).toEqual(['10.216.50.2']);
    expect(await lookup(client, 'web.app', '127.0.0.11')).toEqual(['10.216.50.2']);
    expect(await lookup(client, 'aaaaaaaaaaaa', '127.0.0.11')).toEqual(['10.216.50.2']);
    expect(await lookup(web, 'client', '127.0.0.11')).toEqual(['10.216.50.77']);
    expect(await lookup(client, 'outside.test', '127.0.0.11')).toEqual(['192.0.2.99']);
    // The resolver behind it, on the gateway, answers its network's containers only: the host is refused.
    expect(await lookup(client, 'web', app.gateway)).toEqual(['10.216.50.2']);
    const fromHost = await execFileAsync('busybox', ['nslookup', 'web', app.gateway]).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    expect(fromHost.stdout).toContain('REFUSED');
    const files = endpoints.sandboxFiles('b'.repeat(64), { hostname: 'bbbbbbbbbbbb', extraHosts: ['gw:host-gateway'], embeddedResolver: true });
    expect(files.resolvConf).toContain('nameserver 127.0.0.11\n');
    expect(files.hosts).toContain(`${bridge.bip.split('/')[0]}\tgw\n10.216.50.77\tbbbbbbbbbbbb\n`);
  });

  // busybox wget segfaults on this Debian build, so requests from inside a namespace use the host's curl.
  it('publishes a port reachable from the host loopback, the host address and another network; refuses a taken port', async () => {
    const www = path.join(dir, 'www');
    execFileSync('mkdir', ['-p', www]);
    await writeFile(path.join(www, 'index.html'), 'hello from web\n');
    children.push(web.spawn(['busybox', 'httpd', '-f', '-p', '80', '-h', www]));
    const [m] = await endpoints.publish('a'.repeat(64), [{ hostPort: 0, containerPort: 80, proto: 'tcp' }]);
    expect(m).toMatchObject({ hostIp: '0.0.0.0', containerIp: '10.216.50.2', containerPort: 80 });
    const port = m?.hostPort ?? 0;
    expect(port).toBeGreaterThan(0);
    let body = '';
    for (let i = 0; i < 50 && body === ''; i++) {
      body = execFileSync('curl', ['-s', '--max-time', '2', `http://127.0.0.1:${port}/`], { encoding: 'utf8' }).toString();
      if (body === '') await new Promise((r) => setTimeout(r, 100));
    }
    expect(body).toBe('hello from web\n');
    expect(execFileSync('curl', ['-s', '--max-time', '3', `http://${bridge.bip.split('/')[0]}:${port}/`], { encoding: 'utf8' })).toBe('hello from web\n');

    // From a container on another network, through the host's address on that network's side.
    await svc.create({ Name: 'other', IPAM: { Config: [{ Subnet: '10.216.51.0/24' }] } });
    const stranger = netns();
    await endpoints.attach({ network: 'other', containerId: 'd'.repeat(64), containerName: 'stranger', netnsPath: stranger.path });
    // A container of another network gets no answer from this network's resolver.
    expect((await stranger.exec(['busybox', 'nslookup', 'web', app.gateway])).stdout).toContain('REFUSED');
    const viaHost = await stranger.exec(['curl', '-s', '--max-time', '3', `http://10.216.51.1:${port}/`]);
    expect(viaHost.stdout).toBe('hello from web\n');
    // ...but not directly: networks are isolated.
    expect((await stranger.exec(['curl', '-s', '--max-time', '2', 'http://10.216.50.2:80/'])).code).not.toBe(0);
    // Another container on the same bridge, through the host's address.
    expect((await client.exec(['curl', '-s', '--max-time', '3', `http://10.216.50.1:${port}/`])).stdout).toBe('hello from web\n');
    // Hairpin: the container reaches its own published port through the host.
    expect((await web.exec(['curl', '-s', '--max-time', '3', `http://10.216.50.1:${port}/`])).stdout).toBe('hello from web\n');

    await expect(endpoints.publish('b'.repeat(64), [{ hostPort: port, containerPort: 80, proto: 'tcp' }])).rejects.toThrow(
      `Bind for 0.0.0.0:${port} failed: port is already allocated`,
    );
    await endpoints.unpublish('a'.repeat(64));
    expect(berthRules().some((l) => l.includes(`--dport ${port}`))).toBe(false);
    const after = await endpoints.publish('b'.repeat(64), [{ hostIp: '127.0.0.1', hostPort: port, containerPort: 80, proto: 'tcp' }]);
    expect(after[0]?.hostPort).toBe(port);
    await endpoints.unpublish('b'.repeat(64));
  });

  it('detaches: the veth goes, the address returns to the pool (not at once), and events were published', async () => {
    const hostIf = endpoints.endpoints('d'.repeat(64))[0]?.endpoint.hostIf ?? '';
    expect(links()).toContain(`${hostIf}@`);
    await endpoints.detachAll('d'.repeat(64));
    expect(links()).not.toContain(`${hostIf}@`);
    expect(endpoints.endpoints('d'.repeat(64))).toEqual([]);
    await svc.remove('other');
    const list = svc.list(Filters.parse('{"name":["app"]}'));
    expect(list).toHaveLength(1);
  });

  it('publishes UDP and picks a free port from a host range', async () => {
    const first = await endpoints.publish('a'.repeat(64), [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 53, proto: 'udp' }]);
    expect(first[0]).toMatchObject({ proto: 'udp', containerPort: 53, hostIp: '127.0.0.1' });
    const udp = first[0]?.hostPort ?? 0;
    expect(berthRules().some((l) => l.includes(`-p udp -m udp --dport ${udp} -m comment`) && l.includes('DNAT'))).toBe(true);
    // A range with its first port taken by the UDP mapping above (same number, tcp is free) and by the host.
    const blocker = await new Promise<net.Server>((resolve) => {
      const srv = net.createServer();
      srv.listen(0, '127.0.0.1', () => resolve(srv));
    });
    const busy = (blocker.address() as net.AddressInfo).port;
    const ranged = await endpoints.publish('b'.repeat(64), [{ hostIp: '127.0.0.1', hostPort: busy, hostPortEnd: busy + 5, containerPort: 80, proto: 'tcp' }]);
    expect(ranged[0]?.hostPort).toBeGreaterThan(busy);
    blocker.close();
    await expect(endpoints.publish('b'.repeat(64), [{ hostIp: '127.0.0.1', hostPort: ranged[0]?.hostPort ?? 0, containerPort: 81, proto: 'tcp' }])).rejects.toThrow(
      /port is already allocated/,
    );
    await endpoints.unpublish('a'.repeat(64));
    await endpoints.unpublish('b'.repeat(64));
  });

  it('creates sandboxes and, after a restart, releases everything of containers that are gone', async () => {
    const sandbox = await endpoints.createSandbox('e'.repeat(64));
    expect(sandbox).toMatch(new RegExp(`^/run/netns/berth-${engineTag.slice(0, 8)}-eeeeeeeeeeee$`));
    await endpoints.attach({ network: 'app', containerId: 'e'.repeat(64), containerName: 'ghost', netnsPath: sandbox });
    await endpoints.publish('e'.repeat(64), [{ hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, proto: 'tcp' }]);
    const hostIf = endpoints.endpoints('e'.repeat(64))[0]?.endpoint.hostIf ?? '';
    // A second service on the same data root, as after kill -9: 'e' did not survive, 'a' and 'b' did.
    await svc.close();
    const again = new NetworkService({ ...svc.opts });
    await again.init();
    svc = again;
    const second = new ContainerEndpoints(again);
    endpoints = second;
    await second.reconcile(['a'.repeat(64), 'b'.repeat(64)]);
    expect(second.endpoints('e'.repeat(64))).toEqual([]);
    expect(second.endpoints('a'.repeat(64))).toHaveLength(1);
    expect(links()).not.toContain(`${hostIf}@`);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain('eeeeeeeeeeee');
    expect(berthRules().filter((l) => l.includes(':peeeeeeeeeeee'))).toEqual([]);
    // Each network rule exactly once, even though two services initialised the firewall.
    const lines = berthRules();
    expect(new Set(lines).size).toBe(lines.length);
    const names = events.subscribe({ since: 0n, onEvent: () => undefined });
    expect(names.past.filter((e) => e.Type === 'network').map((e) => e.Action)).toEqual(expect.arrayContaining(['create', 'connect', 'disconnect', 'destroy']));
    names.close();
  });

  it('sets a container up on two networks in one call, and removes it all again', async () => {
    await svc.create({ Name: 'side', Internal: true, IPAM: { Config: [{ Subnet: '10.216.52.0/24' }] } });
    const id = 'f'.repeat(64);
    const r = await setUpContainerNetwork(endpoints, {
      containerId: id, containerName: '/multi', hostname: 'ffffffffffff',
      networks: [{ network: 'app', aliases: ['m'] }, { network: 'side', ipv4Address: '10.216.52.9' }],
      portBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, exposedPorts: ['80/tcp', '81/tcp'],
      dnsSearch: ['example.test'],
    });
    const inside = (await execFileAsync('nsenter', [`--net=${r.netnsPath}`, '--', 'ip', '-o', '-4', 'addr'])).stdout;
    expect(inside).toMatch(/eth0\s+inet 10\.216\.50\.\d+\/24/);
    expect(inside).toContain('eth1    inet 10.216.52.9/24');
    expect(r.resolvConf).toContain('nameserver 127.0.0.11\nsearch example.test\n');
    const viaLoopback = await execFileAsync('nsenter', [`--net=${r.netnsPath}`, '--', 'busybox', 'nslookup', 'm', '127.0.0.11']);
    expect(viaLoopback.stdout).toMatch(/Address:\s*10\.216\.50\.\d+/);
    expect(r.hosts).toMatch(/10\.216\.50\.\d+\tffffffffffff\n$/);
    const settings = r.settings as { SandboxKey: string; Ports: Record<string, unknown>; Networks: Record<string, { IPAddress: string; Aliases: string[] }> };
    expect(settings.SandboxKey).toBe(r.netnsPath);
    expect(settings.Ports['81/tcp']).toBeNull();
    expect(settings.Ports['80/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: expect.stringMatching(/^\d+$/) }]);
    expect(settings.Networks.side?.IPAddress).toBe('10.216.52.9');
    expect(settings.Networks.app?.Aliases).toEqual(['m']);
    await endpoints.removeSandbox(id);
    expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain('ffffffffffff');
    expect(berthRules().filter((l) => l.includes(':pffffffffffff'))).toEqual([]);
    await svc.remove('side');
  });

  it('removes every rule and bridge it made when closed with no endpoints left', async () => {
    await endpoints.detachAll('a'.repeat(64));
    await endpoints.detachAll('b'.repeat(64));
    await svc.remove('app');
    await svc.close();
    expect(berthRules()).toEqual([]);
    expect(links()).not.toContain(`${bridge.bridgeName}:`);
  });
});
