import { spawn, spawnSync } from 'node:child_process';
import Docker from 'dockerode';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerBinary, dockerEnv } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from './harness.js';
import { DEBIAN_PYTHON, demux, eventually, rawRequest, streamText } from './io-helpers.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  const left = (await rig?.docker(['ps', '-aq']))?.stdout.split('\n').filter(Boolean) ?? [];
  if (left.length > 0) await rig.docker(['rm', '-f', ...left]);
  await rig?.stop();
});

const waitExited = (name: string) => rig.ok(['wait', name]);

describe('docker logs from the json-file log', () => {
  it('shows stdout and stderr on their streams, --tail, -t with nine fraction digits', async () => {
    await rig.ok(['run', '-d', '--name', 'five', rig.busybox, 'sh', '-c', 'for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done']);
    await waitExited('five');
    const all = await rig.docker(['logs', 'five']);
    expect(all.stdout).toBe('out1\nout2\nout3\nout4\nout5\n');
    expect(all.stderr).toBe('err1\nerr2\nerr3\nerr4\nerr5\n');
    await rig.ok(['run', '--name', 'count', rig.busybox, 'sh', '-c', 'for i in 1 2 3 4 5; do echo n$i; done']);
    expect((await rig.docker(['logs', '--tail', '3', 'count'])).stdout).toBe('n3\nn4\nn5\n');
    expect((await rig.docker(['logs', '--tail', '0', 'count'])).stdout).toBe('');
    expect((await rig.docker(['logs', '--tail', 'all', 'count'])).stdout).toBe('n1\nn2\nn3\nn4\nn5\n');
    const ts = await rig.docker(['logs', '-t', '--tail', '1', 'count']);
    expect(ts.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z n5\n$/);
  });

  it('filters by --since and --until (Unix seconds, as the CLI sends them)', async () => {
    await rig.ok(['run', '-d', '--name', 'slow', rig.busybox, 'sh', '-c', 'echo early; sleep 2.2; echo late']);
    await waitExited('slow');
    const lines = (await rig.ok(['logs', '-t', 'slow'])).split('\n');
    const lateTime = Date.parse(lines[1]?.split(' ')[0] ?? '');
    const cut = Math.floor(lateTime / 1000) - 1; // a whole second between the two lines
    expect((await rig.ok(['logs', '--since', String(cut), 'slow']))).toBe('late');
    expect((await rig.ok(['logs', '--until', String(cut), 'slow']))).toBe('early');
  });

  it('follows new output and ends when the container stops (-f)', async () => {
    await rig.ok(['run', '-d', '--name', 'ticker', rig.busybox, 'sh', '-c', 'for i in 1 2 3; do echo tick$i; sleep 0.4; done; sleep 600']);
    const env = dockerEnv(rig.berthd.dockerHost);
    const follower = spawn(dockerBinary(), ['logs', '-f', 'ticker'], { env });
    let seen = '';
    follower.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    const exited = new Promise<number>((r) => follower.on('close', (c) => r(c ?? -1)));
    await eventually(async () => (seen.includes('tick3') ? true : undefined), 'tick3 through -f');
    await rig.ok(['stop', '-t', '1', 'ticker']);
    expect(await exited).toBe(0);
    expect(seen).toBe('tick1\ntick2\ntick3\n');
  });

  it('reads rotated files in order and follows across a rotation (max-size, max-file)', async () => {
    // Each line is 64 bytes of JSON and more: a 1k max-size rotates every dozen lines or so.
    const script = 'i=0; while [ $i -lt 60 ]; do echo line$i; i=$((i+1)); done; sleep 1; i=60; while [ $i -lt 120 ]; do echo line$i; i=$((i+1)); done';
    await rig.ok(['run', '-d', '--name', 'rotor', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=20', rig.busybox, 'sh', '-c', `sleep 1; ${script}`]);
    const env = dockerEnv(rig.berthd.dockerHost);
    const follower = spawn(dockerBinary(), ['logs', '-f', 'rotor'], { env });
    let seen = '';
    follower.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    const exited = new Promise<number>((r) => follower.on('close', (c) => r(c ?? -1)));
    await waitExited('rotor');
    expect(await exited).toBe(0);
    const expected = Array.from({ length: 120 }, (_, i) => `line${i}\n`).join('');
    expect(seen).toBe(expected);
    const id = await rig.ok(['inspect', '--format', '{{.Id}}', 'rotor']);
    const files = await readdir(path.join(rig.berthd.dataRoot, 'containers', id));
    expect(files.filter((f) => f.includes('-json.log.')).length).toBeGreaterThan(3);
    expect((await rig.docker(['logs', 'rotor'])).stdout).toBe(expected);
    expect((await rig.docker(['logs', '--tail', '2', 'rotor'])).stdout).toBe('line118\nline119\n');
  });

  it('sends a big log one frame per line, as dockerd, that the CLI, dockerode and docker-py read whole; -t too', async () => {
    // 4 MB of stdout with a few stderr lines in between.
    const script = 'yes 0123456789 | head -c 2000000; echo to-err >&2; echo again >&2; yes abcdefghij | head -c 2000000';
    await rig.ok(['run', '--name', 'bulk', rig.busybox, 'sh', '-c', script]);
    const twoMb = (line: string): string => line.repeat(Math.floor(2_000_000 / line.length)) + line.slice(0, 2_000_000 % line.length);
    const expectedOut = twoMb('0123456789\n') + twoMb('abcdefghij\n');
    const cli = await rig.docker(['logs', 'bulk']);
    expect(cli.stdout.length).toBe(4_000_000);
    expect(cli.stdout === expectedOut).toBe(true);
    expect(cli.stderr).toBe('to-err\nagain\n');

    const client = new Docker({ socketPath: rig.berthd.socket });
    const frames = demux((await client.getContainer('bulk').logs({ stdout: true, stderr: true })) as unknown as Buffer);
    // One frame per log entry, as dockerd sends: every line of stdout (the last one without its newline).
    const outFrames = frames.filter((f) => f.stream === 1);
    expect(outFrames.length).toBe(expectedOut.split('\n').length);
    expect(outFrames.slice(0, -1).every((f) => f.data.endsWith('\n') && f.data.indexOf('\n') === f.data.length - 1)).toBe(true);
    expect(frames.filter((f) => f.stream === 2).map((f) => f.data)).toEqual(['to-err\n', 'again\n']);
    expect(streamText(frames, 1) === expectedOut).toBe(true);
    expect(streamText(frames, 2)).toBe('to-err\nagain\n');

    // Debian's docker-py 5.0.3: `for line in container.logs(stream=True)` gets one line per iteration.
    const py = spawnSync(DEBIAN_PYTHON, ['-c', [
      'import docker, hashlib, json, sys',
      'c = docker.DockerClient(base_url=sys.argv[1]).containers.get("bulk")',
      'whole = c.logs(stdout=True, stderr=False)',
      'lines = list(c.logs(stdout=True, stderr=False, stream=True))',
      'print(json.dumps([len(whole), hashlib.sha256(whole).hexdigest(), b"".join(lines) == whole, len(lines), lines[0].decode()]))',
    ].join('\n'), rig.berthd.dockerHost], { encoding: 'utf8', timeout: 60_000 });
    expect(py.status, py.stderr).toBe(0);
    const sha = (await import('node:crypto')).createHash('sha256').update(expectedOut).digest('hex');
    expect(JSON.parse(py.stdout)).toEqual([4_000_000, sha, true, outFrames.length, '0123456789\n']);

    const stamped = (await rig.ok(['logs', '-t', '--tail', '3', 'bulk'])).split('\n').filter(Boolean);
    expect(stamped.length).toBe(3);
    for (const l of stamped) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (abcdefghij|ab)$/);
  });

  it('frames non-TTY logs, sends TTY logs raw, selects streams, refuses neither (400) and a none driver', async () => {
    const api = (p: string) => rawRequest(rig.berthd.socket, 'GET', p);
    const five = await api('/v1.51/containers/five/logs?stdout=1&stderr=1');
    expect(five.head).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(five.head).toContain('Content-Type: application/vnd.docker.multiplexed-stream');
    expect(five.head).toMatch(/Transfer-Encoding: chunked/i);
    five.socket.end();
    const client = new Docker({ socketPath: rig.berthd.socket });
    const onlyErr = (await client.getContainer('five').logs({ stdout: false, stderr: true, follow: false })) as unknown as Buffer;
    const frames = demux(onlyErr);
    expect(frames.every((f) => f.stream === 2)).toBe(true);
    expect(streamText(frames, 2)).toBe('err1\nerr2\nerr3\nerr4\nerr5\n');

    await rig.ok(['run', '-t', '--name', 'ttylog', rig.busybox, 'sh', '-c', 'echo tty-out; echo tty-err >&2']);
    const raw = (await client.getContainer('ttylog').logs({ stdout: true, stderr: true })) as unknown as Buffer;
    expect(raw.toString()).toBe('tty-out\r\ntty-err\r\n');

    const neither = await client.getContainer('five').logs({ stdout: false, stderr: false }).catch((e: { statusCode: number; message: string }) => e);
    expect(neither).toMatchObject({ statusCode: 400 });
    expect((neither as { message: string }).message).toContain('Bad parameters: you must choose at least one stream');

    await rig.ok(['run', '--log-driver', 'none', '--name', 'silent', rig.busybox, 'echo', 'x']);
    const none = await rig.docker(['logs', 'silent']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toContain('configured logging driver does not support reading');
  });
});
