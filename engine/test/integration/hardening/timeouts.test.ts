// Finding 7 of issue 17: a half-sent header or a body that stops arriving no longer holds a connection forever,
// while the long-lived streams (attach, logs -f, events, a build's output) outlive the timeout untouched. berthd runs with a one-second
// request idle timeout here (BERTHD_REQUEST_IDLE_MS; one minute by default).
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLayerTar, file } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';

const IDLE_MS = 1000;
let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig({ env: { BERTHD_REQUEST_IDLE_MS: String(IDLE_MS) } });
  await rig.ok(['run', '-d', '--name', 'ticker', rig.busybox, 'sh', '-c', 'while :; do echo tick; sleep 0.2; done']);
}, 120_000);
afterAll(async () => {
  await rig?.stop();
});

/** Opens a connection, sends `text`, and resolves with how long the server took to close it (or rejects after 10 s). */
function closedAfter(text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.createConnection({ path: rig.berthd.socket });
    socket.on('error', () => undefined);
    socket.write(text);
    socket.resume();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the server kept the connection for 10 s'));
    }, 10_000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

/** A streaming request whose received bytes are counted; `stop()` hangs up. */
function follow(text: string): { received(): string; stop(): void } {
  const socket = net.createConnection({ path: rig.berthd.socket });
  let got = '';
  socket.on('data', (d: Buffer) => (got += d.toString('latin1')));
  socket.on('error', () => undefined);
  socket.write(text);
  return { received: () => got, stop: () => socket.destroy() };
}

describe('request timeouts', () => {
  it('close a connection whose header block never ends', async () => {
    const ms = await closedAfter('GET /_ping HTTP/1.1\r\nHost: berthd\r\n');
    expect(ms).toBeGreaterThanOrEqual(IDLE_MS - 100);
  });

  it('close a connection whose body stops arriving', async () => {
    const ms = await closedAfter('POST /containers/create HTTP/1.1\r\nHost: berthd\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"Image":');
    expect(ms).toBeGreaterThanOrEqual(IDLE_MS - 100);
  });

  it('never cut attach, logs -f or events, however long they last', async () => {
    const upgrade = 'Connection: Upgrade\r\nUpgrade: tcp\r\n';
    const streams = {
      attach: follow(`POST /containers/ticker/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: berthd\r\n${upgrade}\r\n`),
      logs: follow('GET /containers/ticker/logs?stdout=1&follow=1&tail=0 HTTP/1.1\r\nHost: berthd\r\n\r\n'),
      events: follow('GET /events HTTP/1.1\r\nHost: berthd\r\n\r\n'),
    };
    // Three times the idle timeout with the streams open (the one wait this test is about).
    await new Promise((r) => setTimeout(r, 3 * IDLE_MS));
    const before = { attach: streams.attach.received().length, logs: streams.logs.received().length };
    await rig.ok(['create', '--name', 'late', rig.busybox]);
    await new Promise((r) => setTimeout(r, 600));
    expect(streams.attach.received().length).toBeGreaterThan(before.attach);
    expect(streams.logs.received().length).toBeGreaterThan(before.logs);
    expect(streams.events.received()).toContain('"Action":"create"');
    for (const s of Object.values(streams)) s.stop();
  });

  it('never cut a build whose step says nothing for longer than the timeout', async () => {
    const context = await buildLayerTar([file('Dockerfile', `FROM ${rig.busybox}\nRUN sleep ${(3 * IDLE_MS) / 1000}\n`)]);
    const output = await new Promise<string>((resolve, reject) => {
      const req = http.request({ socketPath: rig.berthd.socket, method: 'POST', path: '/build?t=quiet%2Fbuild%3A1&rm=1', headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
        let out = '';
        res.on('data', (c: Buffer) => (out += c.toString()));
        res.on('end', () => resolve(out));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(context);
    });
    expect(output).toContain('Successfully tagged quiet/build:1');
    expect(await rig.ok(['image', 'inspect', '-f', '{{.RepoTags}}', 'quiet/build:1'])).toBe('[quiet/build:1]');
  });
});
