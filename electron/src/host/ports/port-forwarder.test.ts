import { describe, expect, it } from 'vitest';
import { normalise, PortForwarder, type DirectForward, type PortConflict, type PublishedPort } from './port-forwarder.js';

/** A stand-in for QEMU's hostfwd table: the rules it holds, the commands it got in order, ports another program holds. */
function fakeDirect(taken: string[] = []) {
  const rules = new Map<string, PublishedPort>();
  const calls: string[] = [];
  const k = (p: PublishedPort) => `${p.proto}:${p.hostIp}:${p.hostPort}`;
  const direct: DirectForward = {
    add: async (p) => {
      calls.push(`add ${k(p)}`);
      if (taken.includes(k(p))) throw new Error(`Could not set up host forwarding rule '${k(p)}' (EADDRINUSE: the port is taken on the host)`);
      rules.set(k(p), p);
    },
    remove: async (p) => {
      calls.push(`remove ${k(p)}`);
      rules.delete(k(p));
    },
    list: async () => [...rules.values()],
  };
  return { direct, calls, rules: () => [...rules.keys()].sort() };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('PortForwarder with TCP ports', () => {
  it('forwards TCP on the address the container asked for, loopback and wildcard alike, and removes it with the container', async () => {
    const { direct, rules } = fakeDirect();
    const fwd = new PortForwarder(direct);
    const listening: string[] = [];
    fwd.on('listening', (id, p) => listening.push(`${id} ${p.proto}:${p.hostIp}:${p.hostPort}`));
    // `docker run -p 127.0.0.1:8080:80 -p 9000:9000` as the engine lists it (9000 on 0.0.0.0 and ::).
    await fwd.sync('web', [
      { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 },
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 9000 },
      { proto: 'tcp', hostIp: '::', hostPort: 9000 },
    ]);
    expect(rules()).toEqual(['tcp:0.0.0.0:9000', 'tcp:127.0.0.1:8080']);
    expect(listening).toEqual(['web tcp:127.0.0.1:8080', 'web tcp:0.0.0.0:9000']);
    fwd.remove('web');
    await settle();
    expect(rules()).toEqual([]);
    expect(fwd.containers()).toEqual([]);
  });

  it('keeps a port on another loopback address on that address', async () => {
    const { direct, rules } = fakeDirect();
    const fwd = new PortForwarder(direct);
    await fwd.sync('web', [{ proto: 'tcp', hostIp: '127.0.0.2', hostPort: 8080 }]);
    expect(rules()).toEqual(['tcp:127.0.0.2:8080']);
  });

  it('reports a TCP host port already taken, and forwards the container\'s other ports', async () => {
    const { direct, rules } = fakeDirect(['tcp:127.0.0.1:8080']);
    const fwd = new PortForwarder(direct);
    const conflicts: PortConflict[] = [];
    fwd.on('conflict', (c) => conflicts.push(c));
    await fwd.sync('web', [{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }, { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8443 }]);
    expect(conflicts).toEqual([{ containerId: 'web', proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, message: expect.stringMatching(/EADDRINUSE/) }]);
    expect(rules()).toEqual(['tcp:127.0.0.1:8443']);
    // A port that was never forwarded is not removed later (it may be the other program's).
    fwd.remove('web');
    await settle();
    expect(rules()).toEqual([]);
  });

  it('gives a restarted container its port back: the old rule goes before the new one comes', async () => {
    const { direct, calls, rules } = fakeDirect();
    const fwd = new PortForwarder(direct);
    const port: PublishedPort = { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 };
    await fwd.sync('web', [port]);
    fwd.remove('web');
    await fwd.sync('web', [port]);
    expect(calls).toEqual(['add tcp:127.0.0.1:8080', 'remove tcp:127.0.0.1:8080', 'add tcp:127.0.0.1:8080']);
    expect(rules()).toEqual(['tcp:127.0.0.1:8080']);
  });

  it('makes a container\'s forwards exactly the ports it publishes now', async () => {
    const { direct, rules } = fakeDirect();
    const fwd = new PortForwarder(direct);
    await fwd.sync('web', [{ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }, { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8443 }]);
    await fwd.sync('web', [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8443 }]);
    await settle();
    expect(rules()).toEqual(['tcp:0.0.0.0:8443']);
  });

  it('serves 0.0.0.0 and :: of one port with one IPv4 wildcard rule', () => {
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

describe('PortForwarder with UDP ports', () => {
  it('forwards UDP on the address the container asked for, loopback and wildcard alike, and removes it with the container', async () => {
    const { direct, rules } = fakeDirect();
    const fwd = new PortForwarder(direct);
    const listening: string[] = [];
    fwd.on('listening', (id, p) => listening.push(`${id} ${p.proto}:${p.hostIp}:${p.hostPort}`));
    await fwd.sync('dns', [{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 }, { proto: 'udp', hostIp: '::', hostPort: 27015 }, { proto: 'udp', hostIp: '0.0.0.0', hostPort: 27015 }]);
    expect(rules()).toEqual(['udp:0.0.0.0:27015', 'udp:127.0.0.1:5353']);
    expect(listening).toEqual(['dns udp:127.0.0.1:5353', 'dns udp:0.0.0.0:27015']);
    await fwd.sync('dns', [{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 }]);
    expect(rules()).toEqual(['udp:127.0.0.1:5353']);
    fwd.remove('dns');
    await settle();
    expect(rules()).toEqual([]);
    expect(fwd.containers()).toEqual([]);
  });

  it('reports a UDP host port already taken, and forwards the container\'s other ports', async () => {
    const { direct, rules } = fakeDirect(['udp:127.0.0.1:5353']);
    const fwd = new PortForwarder(direct);
    const conflicts: PortConflict[] = [];
    fwd.on('conflict', (c) => conflicts.push(c));
    await fwd.sync('dns', [{ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 }, { proto: 'udp', hostIp: '127.0.0.1', hostPort: 5354 }]);
    expect(conflicts).toEqual([{ containerId: 'dns', proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353, message: expect.stringMatching(/EADDRINUSE/) }]);
    expect(rules()).toEqual(['udp:127.0.0.1:5354']);
  });
});

describe('PortForwarder.pruneDirect', () => {
  it('prunes rules no running container asked for (left by an earlier host process)', async () => {
    const { direct, rules } = fakeDirect();
    await direct.add({ proto: 'udp', hostIp: '127.0.0.1', hostPort: 5353 });
    await direct.add({ proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 });
    await direct.add({ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 9000 });
    await direct.add({ proto: 'udp', hostIp: '0.0.0.0', hostPort: 27015 });
    const fwd = new PortForwarder(direct);
    await fwd.sync('game', [{ proto: 'udp', hostIp: '0.0.0.0', hostPort: 27015 }, { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 8080 }]);
    await fwd.pruneDirect();
    expect(rules()).toEqual(['tcp:127.0.0.1:8080', 'udp:0.0.0.0:27015']);
  });
});
