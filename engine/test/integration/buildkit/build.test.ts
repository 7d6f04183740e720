// docker build / buildx / compose build through berthd's own BuildKit, with the real clients (buildx 0.13.1 and
// Compose 2.26.1 plugins on the CLI), one registry and one berthd for the file.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { writeContext } from '../build/build-context.js';
import { buildxDocker, buildxOk, type BuildxRunOptions } from './clients.js';

describe('BuildKit in berthd with the real buildx', () => {
  let rig: ContainerRig;
  let work: string;
  const bx = (args: string[], opts?: BuildxRunOptions) => buildxDocker(rig.berthd.dockerHost, args, opts);
  const ok = (args: string[], opts?: BuildxRunOptions): Promise<string> => buildxOk(rig.berthd, args, opts);

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

  it('a failing RUN prints the step log, the Dockerfile excerpt and "ERROR: failed to solve: process … exit code: N", exit 1', async () => {
    const ctx = await writeContext(work, 'fails', { Dockerfile: `FROM ${rig.busybox}\nRUN echo about to fail; exit 3\nCMD ["true"]\n` });
    const r = await bx(['build', '--progress=plain', ctx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(' > [2/2] RUN echo about to fail; exit 3:');
    expect(r.stderr).toContain('about to fail');
    const excerpt = ['Dockerfile:2', '--------------------', `   1 |     FROM ${rig.busybox}`, '   2 | >>> RUN echo about to fail; exit 3', '   3 |     CMD ["true"]'];
    expect(r.stderr).toContain(excerpt.join('\n'));
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

  it('--target runs only the stages the target needs', async () => {
    const ctx = await writeContext(work, 'stages', {
      Dockerfile: 'ARG BASE\nFROM $BASE AS one\nRUN echo one > /one\nFROM $BASE AS two\nRUN echo two > /two\nFROM $BASE AS final\nCOPY --from=two /two /two\n',
    });
    const out = await ok(['build', '--progress=plain', '--build-arg', `BASE=${rig.busybox}`, '--target', 'two', '-t', 'bk-two', ctx]);
    expect(out).toContain('[two 2/2] RUN echo two > /two');
    expect(out).not.toContain('[one ');
    expect(out).not.toContain('[final ');
    expect(await rig.ok(['run', '--rm', 'bk-two', 'cat', '/two'])).toBe('two');
  }, 120_000);

  it('a tarball context on stdin (docker build -) and a Dockerfile on stdin (-f -)', async () => {
    const tarred = await writeContext(work, 'tarred', { Dockerfile: `FROM ${rig.busybox}\nCOPY in.txt /in.txt\n`, 'in.txt': 'from the tarball\n' });
    const tar = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const child = spawn('tar', ['-C', tarred, '-c', '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.on('error', reject);
      child.on('close', () => resolve(Buffer.concat(chunks)));
    });
    await ok(['build', '--progress=plain', '-t', 'bk-stdin-tar', '-'], { input: tar });
    expect(await rig.ok(['run', '--rm', 'bk-stdin-tar', 'cat', '/in.txt'])).toBe('from the tarball');
    const dir = await writeContext(work, 'stdin-df', { 'in.txt': 'context file\n' });
    await ok(['build', '--progress=plain', '-t', 'bk-stdin-df', '-f', '-', dir], { input: `FROM ${rig.busybox}\nCOPY in.txt /got.txt\n` });
    expect(await rig.ok(['run', '--rm', 'bk-stdin-df', 'cat', '/got.txt'])).toBe('context file');
  }, 120_000);

  it('Ctrl-C cancels the build: the CLI stops and no build container is left', async () => {
    const ctx = await writeContext(work, 'slow', { Dockerfile: `FROM ${rig.busybox}\nRUN echo started; sleep 300\n` });
    let pid = 0;
    const run = bx(['build', '--progress=plain', '--no-cache', ctx], { started: (p) => (pid = p) });
    await expect.poll(async () => rig.ok(['ps', '-q']), { timeout: 60_000, interval: 200 }).not.toBe('');
    process.kill(pid, 'SIGINT');
    const r = await run;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cancel/i);
    await expect.poll(async () => rig.ok(['ps', '-aq']), { timeout: 30_000, interval: 200 }).toBe('');
  }, 120_000);

  it('docker buildx du lists the build cache and docker builder prune -a empties it (as system df sees it)', async () => {
    const du = await ok(['buildx', 'du']);
    expect(du).toMatch(/Total:/);
    expect(await rig.ok(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}'])).toMatch(/Build Cache [1-9]/);
    const pruned = await ok(['builder', 'prune', '-a', '-f']);
    expect(pruned).toMatch(/Total:\s+\S+/);
    expect(await rig.ok(['system', 'df', '--format', '{{.Type}} {{.TotalCount}}'])).toMatch(/Build Cache 0/);
  }, 120_000);

  it('RUN --mount: a --secret is readable in its step and never in a layer or the history; a cache mount survives between builds; bind and tmpfs mounts', async () => {
    const ctx = await writeContext(work, 'mounts', {
      Dockerfile: [
        `FROM ${rig.busybox}`,
        'RUN --mount=type=secret,id=tok echo secret-len=$(wc -c < /run/secrets/tok)',
        'RUN --mount=type=secret,id=tok,env=TOKEN echo env-len=${#TOKEN}',
        'RUN --mount=type=cache,target=/cache echo run >> /cache/runs && echo runs=$(wc -l < /cache/runs)',
        'RUN --mount=type=bind,source=data.txt,target=/d.txt cat /d.txt',
        'RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && echo tmpfs-ok',
        '',
      ].join('\n'),
      'data.txt': 'bound from the context\n',
    });
    const secret = path.join(work, 'tok.txt');
    await writeFile(secret, 'not-in-any-layer-42');
    const build = (): Promise<string> => ok(['build', '--progress=plain', '--no-cache', '--secret', `id=tok,src=${secret}`, '-t', 'bk-mounts', ctx]);
    const first = await build();
    expect(first).toMatch(/secret-len=19\b/);
    expect(first).toMatch(/env-len=19\b/);
    expect(first).toMatch(/runs=1\b/);
    expect(first).toContain('bound from the context');
    expect(first).toContain('tmpfs-ok');
    expect(await build()).toMatch(/runs=2\b/);
    expect(await rig.ok(['run', '--rm', 'bk-mounts', 'sh', '-c', 'ls -d /run/secrets /cache /d.txt /scratch 2>&1 | grep -vc "No such file" || true'])).toBe('0');
    expect(await rig.ok(['history', '--no-trunc', 'bk-mounts'])).not.toContain('not-in-any-layer');
    const saved = await rig.docker(['save', 'bk-mounts']);
    expect(saved.stdout).not.toContain('not-in-any-layer');
  }, 180_000);

  it('--network host gives RUN the host network; RUN --network=none only loopback', async () => {
    const ctx = await writeContext(work, 'net', {
      Dockerfile: `FROM ${rig.busybox}\nRUN echo links=$(ip -o link | wc -l)\nRUN --network=none echo none-links=$(ip -o link | wc -l)\n`,
    });
    const out = await ok(['build', '--progress=plain', '--no-cache', '--network', 'host', ctx]);
    const hostLinks = Number(/links=(\d+)/.exec(out)?.[1]);
    expect(hostLinks).toBeGreaterThan(2);
    expect(out).toMatch(/none-links=1\b/);
  }, 120_000);

  it('--build-context NAME=dir and NAME=docker-image:// feed FROM, COPY --from and RUN --mount from', async () => {
    const extra = await writeContext(work, 'extra', { 'e.txt': 'from the named context\n' });
    const ctx = await writeContext(work, 'named-ctx', {
      Dockerfile: 'FROM base\nCOPY --from=extra e.txt /e.txt\nRUN --mount=type=bind,from=extra,target=/x cat /x/e.txt\n',
    });
    const out = await ok(['build', '--progress=plain', '--build-context', `extra=${extra}`, '--build-context', `base=docker-image://${rig.busybox}`, '-t', 'bk-named-ctx', ctx]);
    expect(out).toContain('[context extra] load from client');
    expect(out).toContain(`[1/3] FROM ${rig.busybox}`);
    expect(out).toMatch(/#\d+ [\d.]+ from the named context/);
    expect(await rig.ok(['run', '--rm', 'bk-named-ctx', 'cat', '/e.txt'])).toBe('from the named context');
  }, 120_000);

  it('FROM a --build-context NAME=dir starts a stage from the directory\'s files (less its .dockerignore), cached on what they hold', async () => {
    const assets = await writeContext(work, 'assets-dir', { 'hello.txt': 'hello from the dir\n', 'sub/deep.txt': 'deep\n', 'skip.txt': 'ignored\n', '.dockerignore': 'skip.txt\n' });
    const ctx = await writeContext(work, 'from-local', {
      Dockerfile: `FROM assets AS files\nCOPY extra.txt /extra.txt\nFROM ${rig.busybox}\nCOPY --from=files / /opt/assets/\n`,
      'extra.txt': 'extra\n',
    });
    const build = (target: string[], tag: string): Promise<string> =>
      ok(['build', '--progress=plain', '--build-context', `assets=${assets}`, ...target, '-t', tag, ctx]);
    const first = await build([], 'bk-from-local:1');
    expect(first).toContain('[context assets] load .dockerignore');
    expect(first).toContain('[context assets] load from client');
    expect(first).toContain('[files 1/2] FROM assets');
    const ls = 'cd /opt/assets && cat hello.txt sub/deep.txt extra.txt && stat -c "%a %u:%g %n" hello.txt sub && test ! -e skip.txt';
    expect(await rig.ok(['run', '--rm', 'bk-from-local:1', 'sh', '-c', ls])).toBe('hello from the dir\ndeep\nextra\n644 0:0 hello.txt\n755 0:0 sub');
    // The stage alone: its config is BuildKit's for a base that is no image, its layer BuildKit's exporter names.
    await build(['--target', 'files'], 'bk-from-local:files');
    expect(await rig.ok(['image', 'inspect', '-f', '{{json .Config.Env}} {{.Config.WorkingDir}}', 'bk-from-local:files'])).toBe(
      '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"] /',
    );
    const history = await rig.ok(['history', '--no-trunc', '--format', '{{.CreatedBy}} | {{.Comment}}', 'bk-from-local:files']);
    expect(history.split('\n')).toEqual(['COPY extra.txt /extra.txt # buildkit | buildkit.dockerfile.v0', 'local source for assets | buildkit.exporter.image.v0']);
    // Same files again: every step cached; a changed file: the stage and what copies it run again.
    expect(await build([], 'bk-from-local:2')).toMatch(/\[stage-1 2\/2\] COPY --from=files \/ \/opt\/assets\/\n#\d+ CACHED/);
    await writeFile(path.join(assets, 'hello.txt'), 'changed\n');
    const changed = await build([], 'bk-from-local:3');
    expect(changed).not.toContain('CACHED');
    expect(await rig.ok(['run', '--rm', 'bk-from-local:3', 'cat', '/opt/assets/hello.txt'])).toBe('changed');
  }, 180_000);

  it('--pull fetches the base image from the registry again and --no-cache runs every step', async () => {
    const ctx = await writeContext(work, 'pull', { Dockerfile: `FROM ${rig.busybox}\nRUN echo ran-now\n` });
    await ok(['build', '--progress=plain', '-t', 'bk-pull', ctx]);
    const out = await ok(['build', '--progress=plain', '--pull', '--no-cache', '-t', 'bk-pull', ctx]);
    expect(out).toMatch(/#\d+ [\d.]+ ran-now/);
    expect(out).not.toContain('CACHED');
    expect(out).toContain(`resolve ${rig.busybox}`);
  }, 120_000);

  it('DOCKER_BUILDKIT=0 still takes the classic builder', async () => {
    const out = await ok(['build', '-t', 'bk-classic', app, '--build-arg', `BASE=${rig.busybox}`], { env: { DOCKER_BUILDKIT: '0' } });
    expect(out).toContain('Step 1/');
    expect(out).toContain('Successfully tagged bk-classic:latest');
  }, 120_000);
});
