import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientMatrix, docker, HELLO_TXT, type DockerClient } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';

// The docker clients people drive berthd with: the project's CLI 26.1 (Compose v2 plugin always, buildx on
// request) and the machine's own docker CLI when it has one, each with and without buildx.
const clients = clientMatrix();

let rig: ContainerRig;
let work: string;
beforeAll(async () => {
  rig = await startContainerRig();
  work = await mkdtemp(path.join(os.tmpdir(), 'berth-clients-'));
});
afterAll(async () => {
  await rig?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(clients)('the docker client $name against berthd', (client: DockerClient) => {
  const run = (args: string[], env?: NodeJS.ProcessEnv) => docker(args, { host: rig.berthd.dockerHost, client, ...(env ? { env } : {}) });
  const ok = async (args: string[], env?: NodeJS.ProcessEnv) => {
    const r = await run(args, env);
    expect(r.code, `docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout.trim();
  };

  it('talks to the engine and runs a container from the local registry', async () => {
    const [clientVersion, serverVersion] = (await ok(['version', '--format', '{{.Client.Version}} {{.Server.Version}}'])).split(' ');
    expect(clientVersion).toBe(client.version);
    expect(serverVersion).toMatch(/^\d+\.\d+/);
    await ok(['pull', '-q', rig.busybox]);
    expect(await ok(['run', '--rm', rig.busybox, 'cat', '/hello.txt'])).toBe(HELLO_TXT.trim());
  });

  it('pipes stdin through docker run -i', async () => {
    const r = await docker(['run', '--rm', '-i', rig.busybox, 'wc', '-c'], { host: rig.berthd.dockerHost, client, input: 'x'.repeat(1000) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('1000');
  });

  it('has the Compose v2 plugin, and buildx exactly when asked for', async () => {
    expect(await ok(['compose', 'version', '--short'])).toMatch(/^v?2\.26\.1/);
    const buildx = await run(['buildx', 'version']);
    if (client.buildx) {
      expect(buildx.code, buildx.stderr).toBe(0);
      expect(buildx.stdout).toMatch(/v?0\.13\.1/);
    } else {
      expect(buildx.code).not.toBe(0);
    }
  });

  it('builds with the classic builder (DOCKER_BUILDKIT=0)', async () => {
    const ctx = await mkdtemp(path.join(work, 'ctx-'));
    await writeFile(path.join(ctx, 'Dockerfile'), `FROM ${rig.busybox}\nRUN echo ${client.name} > /built-by\n`);
    const tag = `clients/${client.name.replace(/[^a-z0-9.-]/g, '-')}:1`;
    await ok(['build', '-q', '-t', tag, ctx], { DOCKER_BUILDKIT: '0' });
    expect(await ok(['run', '--rm', tag, 'cat', '/built-by'])).toBe(client.name);
  });
});
