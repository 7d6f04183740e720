import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { dockerOk, pulledInto } from '../fixtures.js';
import { defineScenario, type BenchTarget } from '../scenario.js';

const PAYLOAD_BYTES = 256 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 0x5a);
const SINK_PORT = 5000;
/**
 * Run per connection with the socket as stdin/stdout. `cat` drains in big reads (busybox `wc -c` costs ~1.4 s of CPU
 * per GB and would weigh on a 2-core host); `ok` after EOF proves every byte went through, TCP being ordered.
 */
const SINK = 'cat >/dev/null; echo ok';

interface Ctx {
  id: string;
  hostPort: number;
}

/**
 * Sends `bytes` to 127.0.0.1:port, half-closes, and resolves to whether the sink answered `ok`: it does so only after
 * reading to EOF, so a figure only counts bytes that reached the container.
 */
function sendAll(port: number, bytes: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (reply += c));
    socket.on('error', reject);
    socket.on('close', () => resolve(reply.trim() === 'ok'));
    socket.on('connect', () => {
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          const n = Math.min(CHUNK.length, bytes - sent);
          sent += n;
          if (!socket.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
  });
}

async function waitForSink(target: BenchTarget, port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    // Through a userland proxy the connect succeeds before the container listens: only the answer proves it.
    if (await sendAll(port, 1024).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`the nc sink behind 127.0.0.1:${port} on ${target.label} never answered`);
    await sleep(100);
  }
}

/**
 * Host → published port → container: a busybox `nc -ll` sink (one `cat` per connection) on the engine's default
 * bridge, published on 127.0.0.1. Berth DNATs loopback in the kernel; dockerd relays through `docker-proxy`.
 */
export default defineScenario<Ctx>({
  name: 'tcp-throughput',
  description: `host -> 127.0.0.1 published port -> busybox nc sink on the default bridge, ${PAYLOAD_BYTES >> 20} MiB per sample, MB/s`,
  unit: 'MB/s',
  better: 'higher',
  defaultIterations: 5,
  unsupported: (target) => target.noBridge,
  async setup(target) {
    const ref = await pulledInto(target, 'busybox');
    const id = (
      await dockerOk(target, ['run', '-d', '-p', `127.0.0.1::${SINK_PORT}`, ref, 'nc', '-ll', '-p', String(SINK_PORT), '-e', 'sh', '-c', SINK])
    ).trim();
    const published = (await dockerOk(target, ['port', id, `${SINK_PORT}/tcp`])).trim().split('\n')[0] ?? '';
    const hostPort = Number(published.slice(published.lastIndexOf(':') + 1));
    if (!Number.isInteger(hostPort) || hostPort <= 0) throw new Error(`docker port on ${target.label} said ${JSON.stringify(published)}`);
    await waitForSink(target, hostPort);
    return { id, hostPort };
  },
  async run({ hostPort }, target) {
    const start = process.hrtime.bigint();
    const ok = await sendAll(hostPort, PAYLOAD_BYTES);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (!ok) throw new Error(`the sink on ${target.label} did not confirm the ${PAYLOAD_BYTES} bytes`);
    return PAYLOAD_BYTES / 1e6 / seconds;
  },
  async teardown({ id }, target) {
    await dockerOk(target, ['rm', '--force', id]);
  },
});
