// Finding 10 of issue 17: a client that goes away mid-stream must never take berthd down, leak a descriptor, or
// leave work running on its behalf (a classic build stops and tags nothing, as dockerd cancels its context).
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLayerTar, dockerBinary, dockerEnv, file, pingSocket } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { startStallingRegistry } from './stalling-registry.js';
import { cutMidStream, holdStream, openFds, pooledConnections, waitFor } from './cut-stream.js';

let rig: ContainerRig;
let sock: string;
let baseline: string[];
const upgrade = { Connection: 'Upgrade', Upgrade: 'tcp', 'Content-Type': 'application/json' };

beforeAll(async () => {
  rig = await startContainerRig();
  sock = rig.berthd.socket;
  // A 64 MiB file (archive, export), a long log (logs -f), and a process that stays (attach, exec, stats).
  await rig.ok(['run', '-d', '--name', 'big', rig.busybox, 'sh', '-c',
    'dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null && seq 1 300000 && touch /ready && exec sleep 3600']);
  await waitFor('the big container', async () => ((await rig.docker(['exec', 'big', 'test', '-e', '/ready'])).code === 0 ? true : undefined), 60_000);
  // Output every 100 ms: a hijacked attach learns that its client left at its next write (as dockerd's does; the
  // CLI half-closes at once when it sends no stdin, so an end of input cannot mean "gone").
  await rig.ok(['run', '-d', '--name', 'ticker', rig.busybox, 'sh', '-c', 'while :; do echo tick; sleep 0.1; done']);
  baseline = await openFds(rig.berthd.pid);
}, 180_000);
afterAll(async () => {
  await rig?.stop();
});

/** berthd still answers and holds no descriptor more than before the cut (pooled registry connections aside). */
async function stillWhole(): Promise<void> {
  expect(await pingSocket(sock)).toBe(200);
  const registryPort = Number(rig.registry.host.split(':')[1]);
  let extra: string[] = [];
  await waitFor('berthd to hold no more descriptors than before', async () => {
    const pool = pooledConnections(registryPort);
    extra = (await openFds(rig.berthd.pid)).filter((fd) => !baseline.includes(fd) && !pool.has(fd));
    return extra.length === 0 ? true : undefined;
  }).catch((err: Error) => {
    throw new Error(`${err.message}: ${extra.join(' ')}`);
  });
}

describe('a client that hangs up mid-stream', () => {
  it.each([
    ['archive', 'GET', '/containers/big/archive?path=/big'],
    ['export', 'GET', '/containers/big/export'],
    ['logs -f', 'GET', '/containers/big/logs?stdout=1&stderr=1&follow=1'],
    ['events', 'GET', '/events'],
    ['stats', 'GET', '/containers/big/stats'],
  ])('of %s leaves berthd running, with nothing leaked', async (_name, method, path) => {
    // Three times in a row: one crash in three was the pattern of the archive bug.
    for (let i = 0; i < 3; i++) {
      await cutMidStream(sock, method, path, { after: path === '/events' || path.includes('stats') ? 'HTTP/1.1 200' : 256 * 1024 });
    }
    await stillWhole();
  });

  it('of save (docker save) leaves berthd running', async () => {
    for (let i = 0; i < 3; i++) await cutMidStream(sock, 'GET', `/images/get?names=${encodeURIComponent(rig.busybox)}`, { after: 256 * 1024 });
    await stillWhole();
  });

  it('of attach (a hijacked stream) leaves berthd and the container running', async () => {
    await cutMidStream(sock, 'POST', '/containers/ticker/attach?stream=1&stdout=1&stderr=1', { headers: upgrade, after: 'tick' });
    await stillWhole();
    expect(await rig.ok(['inspect', '-f', '{{.State.Running}}', 'ticker'])).toBe('true');
  });

  it('of exec (a hijacked stream) leaves berthd and the container running', async () => {
    const exec = JSON.parse(
      await rig.ok(['exec', 'big', 'true']).then(() =>
        fetchJson('POST', '/containers/big/exec', { Cmd: ['sh', '-c', 'cat /big'], AttachStdout: true, AttachStderr: true }),
      ),
    ) as { Id: string };
    await cutMidStream(sock, 'POST', `/exec/${exec.Id}/start`, { headers: upgrade, body: '{"Detach":false,"Tty":false}', after: 256 * 1024 });
    await stillWhole();
    expect(await rig.ok(['inspect', '-f', '{{.State.Running}}', 'big'])).toBe('true');
  });

  it('of pull and push leaves berthd running, and both work again afterwards', async () => {
    const ref = `${rig.registry.host}/berth-test/config:latest`;
    await cutMidStream(sock, 'POST', `/images/create?fromImage=${encodeURIComponent(ref)}`, { after: 'HTTP/1.1 200' });
    await rig.ok(['tag', rig.busybox, `${rig.registry.host}/cut/push:1`]);
    await cutMidStream(sock, 'POST', `/images/${rig.registry.host}/cut/push/push?tag=1`, { headers: { 'X-Registry-Auth': 'e30=' }, after: 'HTTP/1.1 200' });
    await stillWhole();
    await rig.ok(['pull', '-q', ref]);
    await rig.ok(['push', '-q', `${rig.registry.host}/cut/push:1`]);
  });

  it('of a pull stops its download once no pull waits for it, and tags nothing', async () => {
    const registry = await startStallingRegistry();
    const create = `/images/create?fromImage=${encodeURIComponent(registry.ref)}`;
    const first = holdStream(sock, 'POST', create);
    const second = holdStream(sock, 'POST', create);
    try {
      await first.seen('Downloading');
      await second.seen('Pulling fs layer');
      // Both pulls wait for the layer's one download: the first to leave does not stop it for the other.
      first.hangUp();
      await new Promise((r) => setTimeout(r, 1500));
      expect(registry.openDownloads()).toBe(1);
      second.hangUp();
      await waitFor('berthd to hang up the layer download', async () => (registry.openDownloads() === 0 ? true : undefined), 10_000);
      expect(registry.startedDownloads()).toBe(1);
      const inspect = await rig.docker(['image', 'inspect', registry.ref]);
      expect(inspect.stderr).toContain('No such image');
    } finally {
      first.hangUp();
      second.hangUp();
      await registry.close();
    }
    await stillWhole();
  });

  it('of a push stops its upload and never puts the tag on the registry', async () => {
    const ref = `${rig.registry.host}/cut/bigpush:1`;
    await rig.ok(['run', '--name', 'bigpush', rig.busybox, 'sh', '-c', 'head -c 40000000 /dev/urandom > /big']);
    await rig.ok(['commit', 'bigpush', ref]);
    await rig.ok(['rm', 'bigpush']);
    await cutMidStream(sock, 'POST', `/images/${rig.registry.host}/cut/bigpush/push?tag=1`, { headers: { 'X-Registry-Auth': 'e30=' }, after: 'Pushing' });
    // Once berthd has let go of the upload, the registry must still not know the tag.
    await stillWhole();
    const manifest = await fetch(`http://${rig.registry.host}/v2/cut/bigpush/manifests/1`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifest.status).toBe(404);
    await rig.ok(['rmi', ref]);
  });

  it('of a classic build stops the build: its RUN container goes, nothing is tagged', async () => {
    const dockerfile = `FROM ${rig.busybox}\nRUN echo step-started && sleep 30\nRUN touch /never\n`;
    const context = await buildLayerTar([file('Dockerfile', dockerfile)]);
    const before = (await rig.ok(['ps', '-aq'])).split('\n').filter(Boolean).length;
    await cutMidStream(sock, 'POST', '/build?t=cut%2Fbuild%3A1&rm=1', {
      headers: { 'Content-Type': 'application/x-tar' },
      body: context,
      after: 'step-started',
    });
    // The RUN container is killed and removed long before its 30 s sleep would end.
    await waitFor('the build container to go', async () =>
      (await rig.ok(['ps', '-aq'])).split('\n').filter(Boolean).length === before ? true : undefined, 15_000);
    const inspect = await rig.docker(['image', 'inspect', 'cut/build:1']);
    expect(inspect.code).not.toBe(0);
    expect(inspect.stderr).toContain('No such image');
    await stillWhole();
  });

  it('of DOCKER_BUILDKIT=0 docker build, stopped with Ctrl-C mid-RUN, stops the build and tags nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-cut-build-'));
    try {
      await writeFile(path.join(dir, 'Dockerfile'), `FROM ${rig.busybox}\nRUN echo cli-step-started && sleep 30\nRUN touch /never\n`);
      const before = (await rig.ok(['ps', '-aq'])).split('\n').filter(Boolean).length;
      const cli = spawn(dockerBinary(), ['build', '-t', 'cut/cli-build:1', dir], {
        env: dockerEnv(rig.berthd.dockerHost, { env: { DOCKER_BUILDKIT: '0' } }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      cli.stdout.on('data', (c: Buffer) => (out += c.toString()));
      cli.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise((resolve) => cli.once('close', resolve));
      await waitFor('the RUN step to start', async () => (out.includes('cli-step-started') ? true : undefined), 60_000);
      cli.kill('SIGINT');
      await exited;
      await waitFor('the build container to go', async () =>
        (await rig.ok(['ps', '-aq'])).split('\n').filter(Boolean).length === before ? true : undefined, 15_000);
      const inspect = await rig.docker(['image', 'inspect', 'cut/cli-build:1']);
      expect(inspect.code).not.toBe(0);
      expect(inspect.stderr).toContain('No such image');
      await stillWhole();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function fetchJson(method: string, path: string, body: unknown): Promise<string> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: sock, method, path, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
