import Docker from 'dockerode';
import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../http.js';
import { startContainerRig, type ContainerRig } from './harness.js';
import { eventually, inTerminal } from './io-helpers.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
  await rig.ok(['run', '-d', '--name', 'box', '--user', '0', rig.busybox, 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done']);
});
afterAll(async () => {
  const left = (await rig?.docker(['ps', '-aq']))?.stdout.split('\n').filter(Boolean) ?? [];
  if (left.length > 0) await rig.docker(['rm', '-f', ...left]);
  await rig?.stop();
});

describe('docker exec', () => {
  it('runs a command with its output, stderr and exit code', async () => {
    const r = await rig.docker(['exec', 'box', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(r).toMatchObject({ code: 7, stdout: 'out\n', stderr: 'err\n' });
    for (let i = 0; i < 3; i++) expect((await rig.docker(['exec', 'box', 'echo', `n${i}`])).stdout).toBe(`n${i}\n`);
  });

  it('honours -u, -w and -e on top of the container environment', async () => {
    const out = await rig.ok(['exec', '-u', '1000', '-w', '/tmp', '-e', 'FOO=bar', '-e', 'PATH=/bin', 'box', 'sh', '-c', 'id -u; pwd; echo $FOO; echo $PATH; echo $HOSTNAME']);
    const [uid, cwd, foo, pathVar, hostname] = out.split('\n');
    expect({ uid, cwd, foo, pathVar }).toEqual({ uid: '1000', cwd: '/tmp', foo: 'bar', pathVar: '/bin' });
    expect(hostname).toMatch(/^[0-9a-f]{12}$/);
    const bad = await rig.docker(['exec', '-u', 'nosuchuser', 'box', 'true']);
    // As with dockerd, the failure arrives in-band on the stream and the exec is left with exit code 126.
    expect(bad.code).toBe(126);
    expect(bad.stdout).toContain('unable to find user nosuchuser: no matching entries in passwd file');
    expect((await rig.docker(['exec', '-w', 'relative', 'box', 'true'])).stderr).toContain("the working directory 'relative' is invalid, it needs to be an absolute path");
  });

  it('takes piped stdin with -i and closes it at EOF', async () => {
    const r = await rig.docker(['exec', '-i', 'box', 'sh', '-c', 'cat; echo "[eof]"'], { input: 'piped\n' });
    expect(r).toMatchObject({ code: 0, stdout: 'piped\n[eof]\n' });
  });

  it('runs -it under a real terminal with its size, TERM and typed input', async () => {
    const t = inTerminal('docker exec -it box sh', rig.berthd.dockerHost, { rows: 25, cols: 81 });
    await t.waitFor('# ');
    t.write('stty size; echo $TERM; exit 3\r');
    expect(await t.exit).toBe(3);
    expect(t.output()).toContain('25 81');
    expect(t.output()).toContain('xterm');
  });

  it('grants every capability with --privileged only', async () => {
    const capEff = async (...flags: string[]) => (await rig.ok(['exec', ...flags, 'box', 'sh', '-c', 'grep CapEff /proc/self/status'])).split(/\s+/)[1];
    const plain = await capEff();
    const privileged = await capEff('--privileged');
    expect(plain).not.toBe(privileged);
    expect(BigInt(`0x${privileged}`) & BigInt(`0x${plain}`)).toBe(BigInt(`0x${plain}`));
  });

  it('inspects: ExitCode null while running, then the code; Pid, ProcessConfig, ContainerID; ExecIDs on the container', async () => {
    const client = new Docker({ socketPath: rig.berthd.socket });
    const box = client.getContainer('box');
    const exec = await box.exec({ Cmd: ['sh', '-c', 'sleep 1; exit 4'], User: '1000' });
    const created = await exec.inspect();
    expect(created).toMatchObject({ Running: false, ExitCode: null, Pid: 0, ProcessConfig: { entrypoint: 'sh', arguments: ['-c', 'sleep 1; exit 4'], tty: false, privileged: false, user: '1000' } });
    await exec.start({ Detach: true });
    const running = await exec.inspect();
    expect(running).toMatchObject({ Running: true, ExitCode: null });
    expect(running.Pid).toBeGreaterThan(0);
    expect(running.ContainerID).toBe((await box.inspect()).Id);
    expect((await box.inspect()).ExecIDs).toContain(exec.id);
    const done = await eventually(async () => {
      const i = await exec.inspect();
      return i.Running ? undefined : i;
    }, 'the exec to finish');
    expect(done.ExitCode).toBe(4);
    expect((await box.inspect()).ExecIDs ?? []).not.toContain(exec.id);
    const again = await apiRequest(rig.berthd.socket, 'POST', `/v1.51/exec/${exec.id}/start`, '{"Detach":true}');
    expect(again.status).toBe(409);
    expect(JSON.parse(again.body).message).toBe(`Error: Exec command ${exec.id} has already run`);
    const missing = await apiRequest(rig.berthd.socket, 'GET', '/v1.51/exec/nope/json');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).message).toBe('No such exec instance: nope');
  });

  it('streams through dockerode exec.start({hijack: true}) with stdin, and resizes a TTY exec', async () => {
    const client = new Docker({ socketPath: rig.berthd.socket });
    const exec = await client.getContainer('box').exec({ Cmd: ['sh', '-c', 'read x; echo got:$x; echo e >&2'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: true });
    const out = new PassThrough();
    const err = new PassThrough();
    let o = '';
    let e = '';
    out.on('data', (d: Buffer) => (o += d.toString()));
    err.on('data', (d: Buffer) => (e += d.toString()));
    client.modem.demuxStream(stream, out, err);
    stream.end('dockerode\n');
    await new Promise((r) => stream.on('end', r));
    expect({ o, e }).toEqual({ o: 'got:dockerode\n', e: 'e\n' });
    expect((await exec.inspect()).ExitCode).toBe(0);

    const tty = await client.getContainer('box').exec({ Cmd: ['sh', '-c', 'sleep 0.5; stty size'], Tty: true, AttachStdout: true });
    const ttyStream = await tty.start({ hijack: true, Tty: true });
    let text = '';
    ttyStream.on('data', (d: Buffer) => (text += d.toString()));
    await tty.resize({ h: 12, w: 34 });
    await new Promise((r) => ttyStream.on('end', r));
    expect(text.trim()).toBe('12 34');
  });

  it('tells the client when the exec lost its monitor before the process ended, instead of ending silently', async () => {
    const client = new Docker({ socketPath: rig.berthd.socket });
    const exec = await client.getContainer('box').exec({ Cmd: ['sh', '-c', 'echo started; read x'], AttachStdin: true, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: true });
    const out = new PassThrough();
    let o = '';
    out.on('data', (d: Buffer) => (o += d.toString()));
    client.modem.demuxStream(stream, out, new PassThrough());
    const ended = new Promise((r) => stream.on('end', r));
    await eventually(async () => (o.includes('started') ? true : undefined), 'the exec to start');
    // The exec's process is its monitor's child (the monitor is its subreaper): kill -9 that monitor.
    const { Pid } = await exec.inspect();
    const monitor = Number(/^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${Pid}/status`, 'utf8'))?.[1]);
    expect(readFileSync(`/proc/${monitor}/cmdline`, 'utf8')).toContain('berth-monitor');
    process.kill(monitor, 'SIGKILL');
    await ended;
    expect(o).toBe(`started\nexec attach failed: the connection to exec ${exec.id} ended before its process exited\r\n`);
  });

  it('refuses exec in a paused or stopped container with dockerd messages (409), and an empty command (400)', async () => {
    await rig.ok(['pause', 'box']);
    const paused = await rig.docker(['exec', 'box', 'true']);
    expect(paused.stderr).toContain('Container box is paused, unpause the container before exec');
    await rig.ok(['unpause', 'box']);
    await rig.ok(['create', '--name', 'idle', rig.busybox, 'true']);
    const id = await rig.ok(['inspect', '--format', '{{.Id}}', 'idle']);
    const stopped = await apiRequest(rig.berthd.socket, 'POST', '/v1.51/containers/idle/exec', '{"Cmd":["true"]}');
    expect(stopped.status).toBe(409);
    expect(JSON.parse(stopped.body).message).toBe(`Container ${id} is not running`);
    const empty = await apiRequest(rig.berthd.socket, 'POST', '/v1.51/containers/box/exec', '{"Cmd":[]}');
    expect(empty.status).toBe(400);
    expect(JSON.parse(empty.body).message).toBe('No exec command specified');
  });

  it('publishes exec_create, exec_start and exec_die events', async () => {
    await rig.ok(['exec', 'box', 'sh', '-c', 'exit 2']).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 1100));
    const lines = (await rig.ok(['events', '--since', '30s', '--until', '0s', '--filter', 'container=box', '--format', '{{.Action}} {{index .Actor.Attributes "exitCode"}}'])).split('\n');
    expect(lines).toEqual(expect.arrayContaining(['exec_create: sh -c exit 2 ', 'exec_start: sh -c exit 2 ', 'exec_die 2']));
  });
});

describe('docker top', () => {
  it('lists the container processes with -ef by default and with ps_args', async () => {
    const top = await rig.ok(['top', 'box']);
    const [titles, ...rows] = top.split('\n');
    expect(titles?.split(/\s+/)).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(rows.some((r) => r.includes('while true'))).toBe(true);
    const client = new Docker({ socketPath: rig.berthd.socket });
    const custom = await client.getContainer('box').top({ ps_args: '-o pid,comm' });
    expect(custom.Titles).toEqual(['PID', 'COMMAND']);
    expect(custom.Processes.map((p: string[]) => p[1])).toContain('sh');
    const stopped = await rig.docker(['top', 'idle']);
    expect(stopped.stderr).toMatch(/Container [0-9a-f]{64} is not running/);
  });
});
