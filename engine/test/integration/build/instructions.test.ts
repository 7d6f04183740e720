import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../http.js';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { writeContext } from './build-context.js';

let rig: ContainerRig;
let work: string;
let server: http.Server;
let base = '';

const context = (name: string, files: Record<string, string | Buffer>): Promise<string> => writeContext(work, name, files);

beforeAll(async () => {
  rig = await startContainerRig();
  work = await mkdtemp(path.join(os.tmpdir(), 'berth-build-instr-'));
  // A tarball context and a file for ADD <url>, served from loopback.
  await context('served', { 'ctx/Dockerfile': `FROM ${rig.busybox}\nCOPY hello.txt /\nCMD ["cat", "/hello.txt"]\n`, 'ctx/hello.txt': 'from a remote context\n' });
  execFileSync('tar', ['-czf', path.join(work, 'ctx.tar.gz'), '-C', path.join(work, 'served', 'ctx'), '.']);
  const tarball = await readFile(path.join(work, 'ctx.tar.gz'));
  server = http.createServer((req, res) => {
    if (req.url === '/ctx.tar.gz') res.end(tarball);
    else if (req.url === '/files/remote.txt') {
      res.setHeader('Last-Modified', 'Wed, 01 Jan 2020 00:00:00 GMT');
      res.end('downloaded\n');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  server?.close();
  await rig?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const run = (image: string, ...cmd: string[]) => rig.ok(['run', '--rm', image, ...cmd]);

describe('Dockerfile instructions in the classic builder', () => {
  it('ADD unpacks local archives, downloads URLs; COPY takes wildcards and heredocs', async () => {
    await context('add', { 'src/a.txt': 'A\n', 'src/b.txt': 'B\n', 'src/c.md': 'C\n' });
    execFileSync('tar', ['-czf', path.join(work, 'add', 'bundle.tgz'), '-C', path.join(work, 'add', 'src'), '.']);
    const dir = await context('add', {
      Dockerfile: [
        `FROM ${rig.busybox}`,
        'ADD bundle.tgz /unpacked/',
        `ADD ${base}/files/remote.txt /dl/`,
        'COPY src/*.txt /wild/',
        'COPY --chmod=750 <<EOF /script.sh',
        '#!/bin/sh',
        'echo from heredoc $0',
        'EOF',
        'RUN <<EOF',
        'set -e',
        'echo one > /heredoc-run',
        'echo two >> /heredoc-run',
        'EOF',
        '',
      ].join('\n'),
    });
    await rig.ok(['build', '-t', 'berth-test/instr:add', dir]);
    expect(await run('berth-test/instr:add', 'ls', '/unpacked')).toBe('a.txt\nb.txt\nc.md');
    expect(await run('berth-test/instr:add', 'stat', '-c', '%a %Y', '/dl/remote.txt')).toBe('600 1577836800');
    expect(await run('berth-test/instr:add', 'ls', '/wild')).toBe('a.txt\nb.txt');
    expect(await run('berth-test/instr:add', 'stat', '-c', '%a', '/script.sh')).toBe('750');
    expect(await run('berth-test/instr:add', '/script.sh')).toBe('from heredoc /script.sh');
    expect(await run('berth-test/instr:add', 'cat', '/heredoc-run')).toBe('one\ntwo');
  }, 120_000);

  it('takes the Dockerfile from stdin, honours # escape, SHELL, ONBUILD, ENTRYPOINT and --target', async () => {
    const dir = await context('misc', { 'data.txt': 'data\n' });
    const parent = [
      '# escape=`',
      `FROM ${rig.busybox} AS parent`,
      'ONBUILD RUN echo triggered > /onbuild',
      'RUN echo a `',
      '  b > /escaped',
      '',
      'FROM parent AS child',
      'SHELL ["/bin/sh", "-ec"]',
      'RUN test "$(cat /onbuild)" = triggered',
      'ENTRYPOINT ["echo", "entry"]',
      'CMD ["default"]',
      '',
      'FROM child AS never',
      'RUN exit 9',
      '',
    ].join('\n');
    const out = (await rig.docker(['build', '-f', '-', '--target', 'child', '-t', 'berth-test/instr:child', dir], { input: parent }));
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('# Executing 1 build trigger');
    expect(out.stdout).not.toContain('exit 9');
    expect(await rig.ok(['run', '--rm', 'berth-test/instr:child'])).toBe('entry default');
    expect(await rig.ok(['run', '--rm', '--entrypoint', 'cat', 'berth-test/instr:child', '/escaped'])).toBe('a b');
    const shell = await rig.ok(['image', 'inspect', '--format', '{{json .Config.Shell}}', 'berth-test/instr:child']);
    expect(JSON.parse(shell)).toEqual(['/bin/sh', '-ec']);
  }, 120_000);

  it('builds from a remote= tarball URL and refuses git contexts clearly', async () => {
    const r = await apiRequest(rig.berthd.socket, 'POST', `/v1.47/build?t=berth-test/instr:remote&remote=${encodeURIComponent(`${base}/ctx.tar.gz`)}`);
    expect(r.status, r.body).toBe(200);
    expect(r.body).toContain('Successfully tagged berth-test/instr:remote');
    expect(await run('berth-test/instr:remote')).toBe('from a remote context');
    const git = await apiRequest(rig.berthd.socket, 'POST', `/v1.47/build?remote=${encodeURIComponent('https://github.com/example/repo.git')}`);
    expect(git.status).toBe(400);
    expect(JSON.parse(git.body).message).toContain('git build contexts are not supported');
  }, 60_000);

  it('reports missing sources, and --network none reaches RUN', async () => {
    const missing = await context('missing', { Dockerfile: `FROM ${rig.busybox}\nCOPY nothere.txt /\n` });
    const r = await rig.docker(['build', missing]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('COPY failed: file not found in build context or excluded by .dockerignore: stat nothere.txt: file does not exist');
    const net = await context('net', { Dockerfile: `FROM ${rig.busybox}\nRUN ls /sys/class/net > /ifaces\n` });
    await rig.ok(['build', '--network', 'none', '-t', 'berth-test/instr:net', net]);
    expect(await run('berth-test/instr:net', 'cat', '/ifaces')).toBe('lo');
  }, 60_000);

  it('uses --cache-from images, and builder prune empties the cache', async () => {
    const dir = await context('cachefrom', { Dockerfile: `FROM ${rig.busybox}\nRUN echo cached-layer > /c\nLABEL step=two\n`, 'x.txt': 'x' });
    await rig.ok(['build', '-t', 'berth-test/instr:cf', dir]);
    // Round trip through save/load: the parent chain is gone, only the history tells what each layer was.
    const tar = path.join(work, 'cf.tar');
    await rig.ok(['save', '-o', tar, 'berth-test/instr:cf']);
    await rig.ok(['rmi', 'berth-test/instr:cf']);
    await rig.ok(['builder', 'prune', '-f']);
    await rig.ok(['load', '-i', tar]);
    const out = await rig.ok(['build', '--cache-from', 'berth-test/instr:cf', '-t', 'berth-test/instr:cf2', dir]);
    expect(out).not.toContain('Running in');
    expect(out.match(/Using cache/g)).toHaveLength(2);
    expect(await run('berth-test/instr:cf2', 'cat', '/c')).toBe('cached-layer');
    const pruned = await rig.ok(['builder', 'prune', '-f']);
    expect(pruned).toMatch(/Total reclaimed space/);
  }, 120_000);
});
