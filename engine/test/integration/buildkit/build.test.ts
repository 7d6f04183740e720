// docker build / buildx / compose build through berthd's own BuildKit, with the real clients (buildx 0.13.1 and
// Compose 2.26.1 plugins on the CLI), one registry and one berthd for the file.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { writeContext } from '../build/build-context.js';
import { buildxDocker, buildxUnavailable, type BuildxRunOptions } from './clients.js';

const unavailable = buildxUnavailable();
if (unavailable) console.warn(`skipping the BuildKit tests: ${unavailable}`);

describe.skipIf(unavailable)('BuildKit in berthd with the real buildx', () => {
  let rig: ContainerRig;
  let work: string;
  const bx = (args: string[], opts?: BuildxRunOptions) => buildxDocker(rig.berthd.dockerHost, args, opts);
  const ok = async (args: string[], opts?: BuildxRunOptions): Promise<string> => {
    const r = await bx(args, opts);
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}:\n${r.stderr}\n--- berthd log tail ---\n${(await rig.berthd.logs()).slice(-3000)}`);
    return `${r.stdout}${r.stderr}`;
  };

  beforeAll(async () => {
    rig = await startContainerRig();
    work = await mkdtemp(path.join(os.tmpdir(), 'berth-buildkit-'));
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('docker buildx ls shows berthd as a running builder with its BuildKit version and platform', async () => {
    const out = await ok(['buildx', 'ls']);
    expect(out).toMatch(/default\s+running\s+v[\d.]+-berth\s+linux\/(amd64|arm64)/);
  });

  let app = '';
  let firstId = '';

  it('docker build -t --iidfile builds through BuildKit with dockerd-shaped plain progress, honouring .dockerignore', async () => {
    app = await writeContext(work, 'app', {
      Dockerfile: ['ARG BASE', 'FROM $BASE', 'ARG WHO=world', 'ENV GREETING=hello', 'RUN echo "$GREETING $WHO" > /greeting && echo to-stderr >&2', 'COPY a.txt /a.txt', 'CMD ["cat", "/greeting"]', ''].join('\n'),
      'a.txt': 'copied\n',
      'secret.txt': 'never in the image\n',
      '.dockerignore': 'secret.txt\n',
    });
    const iid = path.join(work, 'iid');
    const out = await ok(['build', '--progress=plain', '--build-arg', `BASE=${rig.busybox}`, '--build-arg', 'WHO=berth', '--label', 'org.example.built=yes', '-t', 'bk-app:1', '--iidfile', iid, app]);
    for (const line of [
      '[internal] load build definition from Dockerfile',
      '[internal] load .dockerignore',
      '[internal] load build context',
      `[1/3] FROM ${rig.busybox.includes('/') ? '' : 'docker.io/library/'}${rig.busybox}`,
      '[2/3] RUN echo "$GREETING $WHO" > /greeting && echo to-stderr >&2',
      '[3/3] COPY a.txt /a.txt',
      'exporting to image',
      'naming to docker.io/library/bk-app:1',
    ]) {
      expect(out).toContain(line);
    }
    expect(out).toMatch(/#\d+ [\d.]+ to-stderr/);
    firstId = (await readFile(iid, 'utf8')).trim();
    expect(firstId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await rig.ok(['image', 'inspect', '-f', '{{.Id}} {{index .Config.Labels "org.example.built"}}', 'bk-app:1']))).toBe(`${firstId} yes`);
    expect(await rig.ok(['run', '--rm', 'bk-app:1'])).toBe('hello berth');
    expect(await rig.ok(['run', '--rm', 'bk-app:1', 'sh', '-c', 'cat /a.txt; ls /secret.txt 2>&1 || true'])).toMatch(/^copied\n.*No such file/s);
  }, 120_000);

  it('a rebuild with nothing changed is CACHED step by step and gives the same image', async () => {
    const out = await ok(['build', '--progress=plain', '--build-arg', `BASE=${rig.busybox}`, '--build-arg', 'WHO=berth', '--label', 'org.example.built=yes', '-t', 'bk-app:2', app]);
    expect(out).toMatch(/#\d+ \[2\/3\] RUN .*\n#\d+ CACHED/);
    expect(out).toMatch(/#\d+ \[3\/3\] COPY .*\n#\d+ CACHED/);
    expect(await rig.ok(['image', 'inspect', '-f', '{{.Id}}', 'bk-app:2'])).toBe(firstId);
  }, 120_000);

  it('a failing RUN prints the step log and "ERROR: failed to solve: process … exit code: N", exit 1', async () => {
    const ctx = await writeContext(work, 'fails', { Dockerfile: `FROM ${rig.busybox}\nRUN echo about to fail; exit 3\n` });
    const r = await bx(['build', '--progress=plain', ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(' > [2/2] RUN echo about to fail; exit 3:');
    expect(r.stderr).toContain('about to fail');
    expect(r.stderr).toContain('ERROR: failed to solve: process "/bin/sh -c echo about to fail; exit 3" did not complete successfully: exit code: 3');
    expect(await rig.ok(['ps', '-aq'])).toBe('');
  }, 120_000);

  it('docker buildx build --load with -f of another name, with the bundled CLI 26.1', async () => {
    const ctx = await writeContext(work, 'named', { 'build/app.Dockerfile': `FROM ${rig.busybox}\nWORKDIR /w\nRUN echo named > n.txt\n` });
    const out = await ok(['buildx', 'build', '--load', '--progress=plain', '-f', path.join(ctx, 'build/app.Dockerfile'), '-t', 'bk-named', ctx], { kind: 'bundled' });
    expect(out).toContain('[internal] load build definition from app.Dockerfile');
    expect(out).toContain('[2/3] WORKDIR /w');
    expect(await rig.ok(['run', '--rm', 'bk-named', 'cat', 'n.txt'])).toBe('named');
  }, 120_000);

  it('docker compose build and up --build build through BuildKit with the compose labels', async () => {
    const dir = await writeContext(work, 'proj', {
      'web/Dockerfile': 'ARG BASE\nFROM $BASE\nCOPY x /x\nCMD ["cat", "/x"]\n',
      'web/x': 'from compose\n',
      'compose.yaml': `services:\n  web:\n    build:\n      context: web\n      args:\n        BASE: ${rig.busybox}\n`,
    });
    const out = await ok(['compose', '-p', 'bkproj', 'build', '--progress=plain'], { cwd: dir });
    expect(out).toContain('[web 2/2] COPY x /x');
    expect(await rig.ok(['image', 'inspect', '-f', '{{index .Config.Labels "com.docker.compose.service"}}', 'bkproj-web'])).toBe('web');
    await writeFile(path.join(dir, 'web/x'), 'changed\n');
    const up = await ok(['compose', '-p', 'bkproj', 'up', '--build'], { cwd: dir });
    expect(up).toContain('changed');
    await ok(['compose', '-p', 'bkproj', 'down'], { cwd: dir });
  }, 180_000);

  it('DOCKER_BUILDKIT=0 still takes the classic builder', async () => {
    const out = await ok(['build', '-t', 'bk-classic', app, '--build-arg', `BASE=${rig.busybox}`], { env: { DOCKER_BUILDKIT: '0' } });
    expect(out).toContain('Step 1/');
    expect(out).toContain('Successfully tagged bk-classic:latest');
  }, 120_000);
});
