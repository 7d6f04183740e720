import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUdpEcho, freeLoopbackUdpPort } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A client that keeps one source port, as game clients and resolvers with a fixed port do: every datagram it sends
 * belongs to the same conntrack entry, which each send keeps alive.
 */
class FixedPortClient {
  private readonly sock = dgram.createSocket('udp4');
  private readonly inbox: string[] = [];

  async open(): Promise<void> {
    this.sock.on('message', (m) => this.inbox.push(m.toString()));
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', r));
  }

  /** Sends `text` every 300 ms until an answer comes or `ms` pass; the answer or undefined. */
  async ask(port: number, text: string, ms: number): Promise<string | undefined> {
    this.inbox.length = 0;
    for (const end = Date.now() + ms; Date.now() < end && this.inbox.length === 0; ) {
      this.sock.send(text, port, '127.0.0.1');
      await sleep(300);
    }
    return this.inbox[0];
  }

  close(): void {
    this.sock.close();
  }
}

describe('published UDP ports', () => {
  let rig: ContainerRig;
  let echo: string;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-udp-'));

  beforeAll(async () => {
    rig = await startContainerRig();
    echo = buildUdpEcho(path.join(dir, 'udp-echo'));
  });
  afterAll(async () => {
    await rig?.docker(['rm', '-f', 'udp1', 'udp2']);
    await rig?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function runEcho(name: string, port: number): Promise<void> {
    await rig.ok(['create', '--name', name, '-p', `127.0.0.1:${port}:53/udp`, rig.busybox, '/udp-echo', '53']);
    await rig.ok(['cp', echo, `${name}:/udp-echo`]);
    await rig.ok(['start', name]);
  }

  it('reach a client that sent before the port was published, and the next container on the same port', async () => {
    const port = await freeLoopbackUdpPort();
    const client = new FixedPortClient();
    await client.open();
    try {
      // Nothing listens yet: the kernel remembers this flow as going nowhere (un-NATed).
      expect(await client.ask(port, 'early', 600)).toBeUndefined();
      await runEcho('udp1', port);
      expect(await client.ask(port, 'first', 10_000)).toBe('echo:first');
      // The same flow now points at udp1's address; it must follow the port to the container that has it now.
      await rig.ok(['rm', '-f', 'udp1']);
      await runEcho('udp2', port);
      expect(await client.ask(port, 'second', 10_000)).toBe('echo:second');
    } finally {
      client.close();
    }
  });
});
