import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { normalise, PortForwarder, type DirectForward, type PortConflict, type PublishedPort } from './port-forwarder.js';

// The "VM side" is a real TCP echo server on loopback; in production openTcp is an ssh2 direct-tcpip channel.
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

async function echoServer(): Promise<number> {
  const s = net.createServer((c) => c.pipe(c));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closers.push(() => s.close());
  return (s.address() as net.AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.end(text));
    let out = '';
    c.on('data', (d: Buffer) => (out += d.toString()));
    c.on('close', () => resolve(out));
    c.on('error', reject);
  });
}

describe('PortForwarder', () => {
  it('listens on the published port and carries connections to the same port in the VM', async () => {
    const vmPort = await echoServer();
    const targets: string[] = [];
    const fwd = new PortForwarder((host, port) => {
      targets.push(`${host}:${port}`);
      return Promise.resolve(net.connect(vmPort, '127.0.0.1'));
    });
    closers.push(() => fwd.closeAll());
    const hostPort = await freePort();
    await fwd.sync('c1', [{ proto: 'tcp', hostIp: '127.0.0.1', hostPort }]);
    expect(await roundTrip(hostPort, 'hello')).toBe('hello');
    expect(targets).toEqual([`127.0.0.1:${hostPort}`]);
    fwd.remove('c1');
    await expect(roundTrip(hostPort, 'x')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('reports a host port already taken instead of ignoring it', async () => {
    const taken = net.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    closers.push(() => taken.close());
    const port = (taken.address() as net.AddressInfo).port;
    const fwd = new PortForwarder(() => Promise.reject(new Error('unused')));
    const conflicts: PortConflict[] = [];
    fwd.on('conflict', (c) => conflicts.push(c));
    await fwd.sync('c2', [{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: port }]);
    expect(conflicts).toEqual([expect.objectContaining({ containerId: 'c2', hostPort: port, message: expect.stringMatching(/EADDRINUSE/) })]);
  });

  it('hands wildcard binds to the direct forwarder and keeps loopback binds on the SSH path', async () => {
    const calls: string[] = [];
    const fwd = new PortForwarder(() => Promise.reject(new Error('unused')), {
      add: async (p) => void calls.push(`add ${p.hostIp}:${p.hostPort}`),
      remove: async (p) => void calls.push(`remove ${p.hostIp}:${p.hostPort}`),
    });
    const loopback = await freePort();
    await fwd.sync('c3', [{ proto: 'tcp', hostIp: '::', hostPort: 18080 }, { proto: 'tcp', hostIp: '127.0.0.1', hostPort: loopback }]);
    expect(calls).toEqual(['add 0.0.0.0:18080']);
    fwd.remove('c3');
    expect(calls).toEqual(['add 0.0.0.0:18080', 'remove 0.0.0.0:18080']);
  });

  it('serves 0.0.0.0 and :: of one port with one IPv4 wildcard listener', () => {
    expect(normalise([{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 80 }, { proto: 'tcp', hostIp: '::', hostPort: 80 }])).toEqual([
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 80 },
    ]);
  });

  it('keeps a TCP and a UDP port of the same number apart', () => {
    expect(normalise([{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 53 }, { proto: 'udp', hostIp: '::', hostPort: 53 }])).toEqual([
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 53 },
      { proto: 'udp', hostIp: '0.0.0.0', hostPort: 53 },
    ]);
  });
});

/** A stand-in for QEMU's hostfwd table: the rules it holds, and a port another program holds. */
function fakeDirect(taken: string[] = []) {
  const rules = new Map<string, PublishedPort>();
  const k = (p: PublishedPort) => `${p.proto}:${p.hostIp}:${p.hostPort}`;
  const direct: DirectForward = {
    add: async (p) => {
      if (taken.includes(k(p))) throw new Error(`Could not set up host forwarding rule '${p.proto}:${p.hostIp}:${p.hostPort}' (EADDRINUSE)`);
      rules.set(k(p), p);
    },
    remove: async (p) => void rules.delete(k(p)),
    list: async () => [...rules.values()],
  };
  return { direct, rules: () => [...rules.keys()].sort() };
}

describe('PortForwarder with UDP ports', () => {
  it('forwards UDP on the address the container asked for, loopback and wildcard alike, and removes it with the container', async () => {
    const { direct, rules } = fakeDirect();
    const fwd = new PortForwarder(() => Promise.reject(new Error('UDP never uses SSH')), direct);
    const listening: string[] = [];
    fwd.on('listening', (id, p) => listening.push(`${id} ${p.proto}:${p.hostIp}:${p.hostPort}`));
    await fwd.sync('dns', [{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 }, { proto: 'udp', hostIp: '::', hostPort: 27015 }, { proto: 'udp', hostIp: '0.0.0.0', hostPort: 27015 }]);
    expect(rules()).toEqual(['udp:0.0.0.0:27015', 'udp:127.0.0.1:5353']);
    expect(listening).toEqual(['dns udp:127.0.0.1:5353', 'dns udp:0.0.0.0:27015']);
    await fwd.sync('dns', [{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 }]);
    expect(rules()).toEqual(['udp:127.0.0.1:5353']);
    fwd.remove('dns');
    await new Promise((r) => setImmediate(r));
    expect(rules()).toEqual([]);
    expect(fwd.containers()).toEqual([]);
  });

  it('reports a UDP host port already taken, and forwards the container\'s other ports', async () => {
    const { direct, rules } = fakeDirect(['udp:127.0.0.1:5353']);
    const fwd = new PortForwarder(() => Promise.reject(new Error('unused')), direct);
    const conflicts: PortConflict[] = [];
    fwd.on('conflict', (c) => conflicts.push(c));
    await fwd.sync('dns', [{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 }, { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5354 }]);
    expect(conflicts).toEqual([{ containerId: 'dns', proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, message: expect.stringMatching(/EADDRINUSE/) }]);
    expect(rules()).toEqual(['udp:127.0.0.1:5354']);
  });

  it('reports UDP ports it has no path for instead of dropping them', async () => {
    const fwd = new PortForwarder(() => Promise.reject(new Error('unused')));
    const conflicts: PortConflict[] = [];
    fwd.on('conflict', (c) => conflicts.push(c));
    await fwd.sync('dns', [{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 }]);
    expect(conflicts).toEqual([expect.objectContaining({ proto: 'udp', hostPort: 5353, message: expect.stringMatching(/no UDP path/) })]);
  });

  it('prunes direct rules no running container asked for (left by an earlier host process)', async () => {
    const { direct, rules } = fakeDirect();
    await direct.add({ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 });
    await direct.add({ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080 });
    await direct.add({ proto: 'udp', hostIp: '0.0.0.0', hostPort: 27015 });
    const fwd = new PortForwarder(() => Promise.reject(new Error('unused')), direct);
    await fwd.sync('game', [{ proto: 'udp', hostIp: '0.0.0.0', hostPort: 27015 }]);
    await fwd.pruneDirect();
    expect(rules()).toEqual(['udp:0.0.0.0:27015']);
  });
});
