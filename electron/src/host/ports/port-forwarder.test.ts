import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { normalise, PortForwarder, type PortConflict } from './port-forwarder.js';

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
    await fwd.sync('c1', [{ hostIp: '127.0.0.1', hostPort }]);
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
    await fwd.sync('c2', [{ hostIp: '127.0.0.1', hostPort: port }]);
    expect(conflicts).toEqual([expect.objectContaining({ containerId: 'c2', hostPort: port, message: expect.stringMatching(/EADDRINUSE/) })]);
  });

  it('hands wildcard binds to the direct forwarder and keeps loopback binds on the SSH path', async () => {
    const calls: string[] = [];
    const fwd = new PortForwarder(() => Promise.reject(new Error('unused')), {
      add: async (p) => void calls.push(`add ${p.hostIp}:${p.hostPort}`),
      remove: async (p) => void calls.push(`remove ${p.hostIp}:${p.hostPort}`),
    });
    const loopback = await freePort();
    await fwd.sync('c3', [{ hostIp: '::', hostPort: 18080 }, { hostIp: '127.0.0.1', hostPort: loopback }]);
    expect(calls).toEqual(['add 0.0.0.0:18080']);
    fwd.remove('c3');
    expect(calls).toEqual(['add 0.0.0.0:18080', 'remove 0.0.0.0:18080']);
  });

  it('serves 0.0.0.0 and :: of one port with one IPv4 wildcard listener', () => {
    expect(normalise([{ hostIp: '0.0.0.0', hostPort: 80 }, { hostIp: '::', hostPort: 80 }])).toEqual([{ hostIp: '0.0.0.0', hostPort: 80 }]);
  });
});
