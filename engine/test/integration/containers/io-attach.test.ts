import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from './harness.js';
import { demux, eventually, inTerminal, rawRequest, streamText } from './io-helpers.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  const left = (await rig?.docker(['ps', '-aq']))?.stdout.split('\n').filter(Boolean) ?? [];
  if (left.length > 0) await rig.docker(['rm', '-f', ...left]);
  await rig?.stop();
});

const running = async (name: string): Promise<boolean> =>
  (await rig.ok(['inspect', '--format', '{{.State.Running}}', name])) === 'true';

describe('docker run attached, and docker attach', () => {
  it('shows stdout and stderr on their own streams and exits with the container code', async () => {
    const r = await rig.docker(['run', '--name', 'plain', rig.busybox, 'sh', '-c', 'echo out1; echo err1 >&2; echo out2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out1\nout2\n');
    expect(r.stderr).toBe('err1\n');
    // docker start -a attaches before starting the stopped container again.
    const again = await rig.docker(['start', '-a', 'plain']);
    expect(again).toMatchObject({ code: 3, stdout: 'out1\nout2\n', stderr: 'err1\n' });
  });

  it('loses no output of a command that prints at once and exits (attach before start)', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await rig.docker(['run', '--rm', rig.busybox, 'echo', `quick${i}`]);
      expect(r.stdout).toBe(`quick${i}\n`);
    }
  });

  it('pipes stdin with -i and closes it at EOF (half-close)', async () => {
    const r = await rig.docker(['run', '-i', '--rm', rig.busybox, 'sh', '-c', 'cat; echo "[eof]"'], { input: 'hi\nthere\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('hi\nthere\n[eof]\n');
    const wc = await rig.docker(['run', '-i', '--rm', rig.busybox, 'wc', '-c'], { input: 'x'.repeat(300_000) });
    expect(wc.stdout.trim()).toBe('300000');
  });

  it('runs -t under a real terminal with its size, and -it takes typed input', async () => {
    const t = inTerminal(`docker run --rm -t ${rig.busybox} sh -c 'stty size; tty'`, rig.berthd.dockerHost);
    expect(await t.exit).toBe(0);
    expect(t.output()).toContain('40 100');
    expect(t.output()).toContain('/dev/pts/0');

    const it2 = inTerminal(`docker run --rm -it ${rig.busybox} sh`, rig.berthd.dockerHost, { rows: 30, cols: 90 });
    await it2.waitFor('# ');
    it2.write('stty size; echo sum=$((40+2)); exit 4\r');
    expect(await it2.exit).toBe(4);
    expect(it2.output()).toContain('30 90');
    expect(it2.output()).toContain('sum=42');
  });

  it('attaches to a running TTY container, and the CLI detaches on ctrl-p ctrl-q leaving it running', async () => {
    await rig.ok(['run', '-dit', '--name', 'shell', rig.busybox, 'sh']);
    const t = inTerminal('docker attach shell', rig.berthd.dockerHost);
    await new Promise((r) => setTimeout(r, 500));
    t.write('echo attached$((1+1))\r');
    await t.waitFor('attached2');
    t.write('\x10\x11');
    await t.exit;
    expect(t.output()).toContain('read escape sequence');
    expect(await running('shell')).toBe(true);
  });

  it('detaches server-side on the detachKeys sequence of a raw hijacked attach (TTY)', async () => {
    const conn = await rawRequest(rig.berthd.socket, 'POST', '/v1.51/containers/shell/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x,y', {
      headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
    });
    expect(conn.head).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
    expect(conn.head).toContain('Content-Type: application/vnd.docker.raw-stream');
    let seen = '';
    conn.socket.on('data', (c: Buffer) => (seen += c.toString()));
    conn.socket.write('echo raw$((2+3))\r');
    await eventually(async () => (seen.includes('raw5') ? true : undefined), 'the command output');
    conn.socket.write('\x18y');
    await conn.body;
    expect(await running('shell')).toBe(true);
    // `--until 0s` is whole seconds: let the current second pass so the detach is in range.
    await new Promise((r) => setTimeout(r, 1100));
    const events = await rig.ok(['events', '--since', '2m', '--until', '0s', '--filter', 'container=shell', '--format', '{{.Action}}']);
    expect(events.split('\n')).toEqual(expect.arrayContaining(['attach', 'detach']));
    await rig.ok(['rm', '-f', 'shell']);
  });

  it('hijacks with 101 and a multiplexed stream without a TTY; logs=1 replays first; 200 raw without Upgrade', async () => {
    await rig.ok(['run', '-d', '--name', 'talker', rig.busybox, 'sh', '-c', 'echo before; echo before-err >&2; sleep 1; echo after; sleep 600']);
    await eventually(async () => ((await rig.ok(['logs', 'talker'])).includes('before') ? true : undefined), 'first output');
    const conn = await rawRequest(rig.berthd.socket, 'POST', '/v1.51/containers/talker/attach?stream=1&logs=1&stdout=1&stderr=1', {
      headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
    });
    expect(conn.head.split('\r\n')[0]).toBe('HTTP/1.1 101 UPGRADED');
    expect(conn.head).toContain('Content-Type: application/vnd.docker.multiplexed-stream');
    expect(conn.head).toContain('Upgrade: tcp');
    let seen = Buffer.alloc(0);
    conn.socket.on('data', (c: Buffer) => (seen = Buffer.concat([seen, c])));
    await eventually(async () => (streamText(demux(seen), 1).includes('after') ? true : undefined), 'live output after the replay');
    const frames = demux(seen);
    expect(streamText(frames, 1)).toBe('before\nafter\n');
    expect(streamText(frames, 2)).toBe('before-err\n');
    conn.socket.destroy();

    const old = await rawRequest(rig.berthd.socket, 'POST', '/v1.41/containers/talker/attach?logs=1&stdout=1');
    expect(old.head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect(old.head).toContain('Content-Type: application/vnd.docker.raw-stream');
    expect(streamText(demux(await old.body), 1)).toBe('before\nafter\n');

    // An attach waiting for a start that never comes ends when the container is removed.
    await rig.ok(['create', '--name', 'never', rig.busybox]);
    const waiting = await rawRequest(rig.berthd.socket, 'POST', '/v1.51/containers/never/attach?stream=1&stdout=1', { headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
    expect(waiting.head).toMatch(/^HTTP\/1\.1 101 UPGRADED/);
    await rig.ok(['rm', 'never']);
    expect((await waiting.body).length).toBe(0);

    const missing = await rawRequest(rig.berthd.socket, 'POST', '/v1.51/containers/nope/attach?stream=1', { headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
    expect(missing.head).toMatch(/^HTTP\/1\.1 404 /);
    await rig.ok(['rm', '-f', 'talker']);
  });

  it('attaches over WebSocket with binary frames: output unframed, messages are stdin', async () => {
    await rig.ok(['run', '-di', '--name', 'wscat', rig.busybox, 'cat']);
    const ws = new WebSocket(`ws+unix://${rig.berthd.socket}:/v1.51/containers/wscat/attach/ws?stream=1&stdin=1&stdout=1&stderr=1`);
    const received: Buffer[] = [];
    let binary = true;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      binary &&= isBinary;
      received.push(data);
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.send(Buffer.from('over websocket\n'));
    await eventually(async () => (Buffer.concat(received).toString().includes('over websocket\n') ? true : undefined), 'echo over ws');
    expect(binary).toBe(true);
    expect(Buffer.concat(received).toString()).toBe('over websocket\n');
    ws.close();
    await rig.ok(['rm', '-f', 'wscat']);
  });

  it('works with dockerode container.attach before start (the docker run sequence of an SDK)', async () => {
    const client = new Docker({ socketPath: rig.berthd.socket });
    const c = await client.createContainer({ Image: rig.busybox, Cmd: ['sh', '-c', 'read x; echo got:$x; echo oops >&2'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await c.attach({ stream: true, hijack: true, stdin: true, stdout: true, stderr: true });
    const out = new PassThrough();
    const err = new PassThrough();
    let outText = '';
    let errText = '';
    out.on('data', (d: Buffer) => (outText += d.toString()));
    err.on('data', (d: Buffer) => (errText += d.toString()));
    c.modem.demuxStream(stream, out, err);
    const ended = new Promise((r) => stream.on('end', r));
    await c.start();
    stream.write('dockerode\n');
    const result = (await c.wait()) as { StatusCode: number };
    await ended;
    expect(result.StatusCode).toBe(0);
    expect(outText).toBe('got:dockerode\n');
    expect(errText).toBe('oops\n');
    await c.remove();
  });

  it('resizes a running TTY container and refuses a stopped one with 409', async () => {
    await rig.ok(['run', '-dt', '--name', 'sized', rig.busybox, 'sh', '-c', 'sleep 600']);
    const client = new Docker({ socketPath: rig.berthd.socket });
    await client.getContainer('sized').resize({ h: 33, w: 77 });
    const size = await rig.ok(['exec', 'sized', 'sh', '-c', 'stty size < /proc/1/fd/0']);
    expect(size).toBe('33 77');
    await rig.ok(['rm', '-f', 'sized']);
    await rig.ok(['create', '--name', 'idle', rig.busybox]);
    await expect(client.getContainer('idle').resize({ h: 10, w: 10 })).rejects.toMatchObject({ statusCode: 409 });
  });
});
