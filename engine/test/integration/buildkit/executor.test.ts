// The Dockerfile executor's BuildKit semantics, through the real buildx 0.13.1: the stage graph (independent stages
// at once, unused ones skipped), content-keyed cache, COPY --link, ADD of a Git repository, the automatic platform
// ARGs and the `# syntax=` directive. One registry and one berthd for the file.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, link, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort, stopByPid } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { writeContext } from '../build/build-context.js';
import { buildxDocker, buildxOk, type BuildxRunOptions } from './clients.js';

const HOST_ARCH = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;

describe('the BuildKit executor in berthd, with the real buildx', () => {
  let rig: ContainerRig;
  let work: string;
  const bx = (args: string[], opts?: BuildxRunOptions) => buildxDocker(rig.berthd.dockerHost, args, opts);
  const ok = (args: string[], opts?: BuildxRunOptions): Promise<string> => buildxOk(rig.berthd, args, opts);
  const layers = async (image: string): Promise<string[]> => JSON.parse(await rig.ok(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', image])) as string[];

  beforeAll(async () => {
    rig = await startContainerRig();
    work = await mkdtemp(path.join(os.tmpdir(), 'berth-bk-exec-'));
  }, 120_000);
  afterAll(async () => {
    await rig?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('runs independent stages at the same time, skips the stages the target does not need, and defines the platform ARGs', async () => {
    // Each stage waits (up to a minute) for the other's marker in a shared cache mount: run one after the other,
    // the first would give up and fail the build.
    const rendezvous = (me: string, other: string): string =>
      `RUN --mount=type=cache,id=rendezvous,target=/r touch /r/$TOKEN-${me} && i=0 && while [ ! -e /r/$TOKEN-${other} ]; do i=$((i+1)); [ $i -gt 600 ] && exit 7; sleep 0.1; done && echo ${me} > /${me}`;
    const ctx = await writeContext(work, 'graph', {
      Dockerfile: [
        'ARG BASE',
        'FROM $BASE AS unused',
        'RUN echo this-stage-never-runs',
        'FROM $BASE AS left',
        'ARG TOKEN',
        rendezvous('left', 'right'),
        'FROM $BASE AS right',
        'ARG TOKEN',
        rendezvous('right', 'left'),
        'FROM --platform=$BUILDPLATFORM $BASE',
        'ARG TARGETPLATFORM',
        'ARG TARGETARCH',
        'COPY --from=left /left /left',
        'COPY --from=right /right /right',
        'RUN echo "target=$TARGETPLATFORM arch=$TARGETARCH os=$TARGETOS" > /platform',
        '',
      ].join('\n'),
    });
    const token = randomBytes(6).toString('hex');
    const out = await ok(['build', '--progress=plain', '--no-cache', '--build-arg', `BASE=${rig.busybox}`, '--build-arg', `TOKEN=${token}`, '-t', 'bk-graph', ctx], { timeoutMs: 180_000 });
    expect(out).toContain('[left 2/2] RUN --mount=type=cache,id=rendezvous');
    expect(out).toContain('[right 2/2] RUN --mount=type=cache,id=rendezvous');
    expect(out).not.toContain('[unused');
    expect(out).not.toContain('this-stage-never-runs');
    // TARGETOS was not declared in the stage, so it is empty there, as in BuildKit.
    expect(await rig.ok(['run', '--rm', 'bk-graph', 'cat', '/left', '/right', '/platform'])).toBe(`left\nright\ntarget=linux/${HOST_ARCH} arch=${HOST_ARCH} os=`);
  }, 240_000);

  it('a failing stage stops the stage running beside it, and the build fails with its error', async () => {
    const ctx = await writeContext(work, 'graph-fail', {
      Dockerfile: `FROM ${rig.busybox} AS slow\nRUN sleep 120\nFROM ${rig.busybox} AS broken\nRUN exit 4\nFROM ${rig.busybox}\nCOPY --from=slow /etc/hostname /a\nCOPY --from=broken /etc/hostname /b\n`,
    });
    const r = await bx(['build', '--progress=plain', '--no-cache', ctx], { timeoutMs: 100_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: failed to solve: process "/bin/sh -c exit 4" did not complete successfully: exit code: 4');
    await expect.poll(async () => rig.ok(['ps', '-aq']), { timeout: 30_000, interval: 200 }).toBe('');
  }, 120_000);

  it('keys COPY and a RUN bind mount on what the files hold: a touched but unchanged file keeps the cache, a changed one does not', async () => {
    const ctx = await writeContext(work, 'content-key', {
      Dockerfile: `FROM ${rig.busybox}\nCOPY a.txt /a.txt\nRUN --mount=type=bind,source=b.txt,target=/b.txt cp /b.txt /b-copy.txt\n`,
      'a.txt': 'alpha\n',
      'b.txt': 'beta\n',
    });
    const build = (tag: string): Promise<string> => ok(['build', '--progress=plain', '-t', tag, ctx]);
    await build('bk-key:1');
    const later = new Date(Date.now() + 3600_000);
    await utimes(path.join(ctx, 'a.txt'), later, later);
    await utimes(path.join(ctx, 'b.txt'), later, later);
    const touched = await build('bk-key:2');
    expect(touched).toMatch(/\[2\/3\] COPY a\.txt \/a\.txt\n#\d+ CACHED/);
    expect(touched).toMatch(/\[3\/3\] RUN --mount=type=bind.*\n#\d+ CACHED/);
    expect(await rig.ok(['image', 'inspect', '-f', '{{.Id}}', 'bk-key:2'])).toBe(await rig.ok(['image', 'inspect', '-f', '{{.Id}}', 'bk-key:1']));
    await writeFile(path.join(ctx, 'b.txt'), 'beta changed\n');
    const changed = await build('bk-key:3');
    expect(changed).toMatch(/\[2\/3\] COPY a\.txt \/a\.txt\n#\d+ CACHED/);
    expect(changed).not.toMatch(/\[3\/3\] RUN --mount=type=bind.*\n#\d+ CACHED/);
    expect(await rig.ok(['run', '--rm', 'bk-key:3', 'cat', '/b-copy.txt'])).toBe('beta changed');
  }, 180_000);

  it('COPY --link makes a layer of its own, reused when a step below it changes', async () => {
    const ctx = await writeContext(work, 'link', {
      Dockerfile: `FROM ${rig.busybox}\nARG BELOW\nRUN echo $BELOW > /below\nCOPY --link data/ /opt/data/\n`,
      'data/one.txt': 'one\n',
      'data/sub/two.txt': 'two\n',
    });
    await ok(['build', '--progress=plain', '--build-arg', 'BELOW=first', '-t', 'bk-link:1', ctx]);
    const second = await ok(['build', '--progress=plain', '--build-arg', 'BELOW=second', '-t', 'bk-link:2', ctx]);
    expect(second).not.toMatch(/\[2\/3\] RUN echo \$BELOW.*\n#\d+ CACHED/);
    expect(second).toMatch(/\[3\/3\] COPY --link data\/ \/opt\/data\/\n#\d+ CACHED/);
    const [l1, l2] = [await layers('bk-link:1'), await layers('bk-link:2')];
    expect(l2[l2.length - 1]).toBe(l1[l1.length - 1]);
    expect(l2[l2.length - 2]).not.toBe(l1[l1.length - 2]);
    expect(await rig.ok(['run', '--rm', 'bk-link:2', 'sh', '-c', 'cat /below /opt/data/one.txt /opt/data/sub/two.txt'])).toBe('second\none\ntwo');
  }, 180_000);

  it('a context of many files (empty, multi-chunk, a symlink, a hardlink) arrives and is copied byte for byte, with its modes and times', async () => {
    const files: Record<string, Buffer> = { Dockerfile: Buffer.from(`FROM ${rig.busybox}\nCOPY . /ctx/\n`) };
    for (let i = 0; i < 400; i++) files[`d${i % 20}/f${i}.bin`] = randomBytes([0, 1, 4096, 40_000, 300_000][i % 5]!);
    const ctx = await writeContext(work, 'many-files', files);
    await symlink('d0/f0.bin', path.join(ctx, 'link'));
    await link(path.join(ctx, 'd1/f1.bin'), path.join(ctx, 'hard.bin'));
    // Files with modes and times of their own (the receiver sets both after writing).
    await chmod(path.join(ctx, 'd2/f2.bin'), 0o751);
    await chmod(path.join(ctx, 'd4/f4.bin'), 0o600);
    await utimes(path.join(ctx, 'd2/f2.bin'), 1_000_000_000, 1_000_000_000);
    await utimes(path.join(ctx, 'd4/f4.bin'), 1_200_000_000, 1_200_000_000);
    await ok(['build', '--progress=plain', '--no-cache', '-t', 'bk-many', ctx]);
    expect(await rig.ok(['run', '--rm', 'bk-many', 'stat', '-c', '%n %a %Y', '/ctx/d2/f2.bin', '/ctx/d4/f4.bin'])).toBe(
      '/ctx/d2/f2.bin 751 1000000000\n/ctx/d4/f4.bin 600 1200000000',
    );
    const want = Object.entries(files)
      .map(([rel, data]) => `${createHash('sha256').update(data).digest('hex')}  ./${rel}`)
      .concat(`${createHash('sha256').update(files['d1/f1.bin']!).digest('hex')}  ./hard.bin`)
      .sort();
    const got = await rig.ok(['run', '--rm', 'bk-many', 'sh', '-c', 'cd /ctx && find . -type f | xargs sha256sum | sort -k2; readlink link']);
    const lines = got.split('\n');
    expect(lines.pop()).toBe('d0/f0.bin');
    expect(lines.sort()).toEqual(want);
  }, 180_000);

  it('a whole-context COPY keeps owner and modes, and a RUN bind rw of the context writes to a view thrown away after it', async () => {
    const ctx = await writeContext(work, 'rw-bind', {
      Dockerfile: [
        `FROM ${rig.busybox}`,
        'COPY . /ctx/',
        'RUN --mount=type=bind,rw,target=/m sh -c "echo changed > /m/a.txt && echo new > /m/new.txt && cat /m/a.txt > /seen"',
        'COPY . /again/',
        '',
      ].join('\n'),
      'a.txt': 'original\n',
    });
    await chmod(path.join(ctx, 'a.txt'), 0o640);
    await ok(['build', '--progress=plain', '--no-cache', '-t', 'bk-rw-bind', ctx]);
    const got = await rig.ok(['run', '--rm', 'bk-rw-bind', 'sh', '-c', 'cat /seen /ctx/a.txt /again/a.txt; ls /again; stat -c "%u:%g %a" /ctx/a.txt /ctx']);
    expect(got).toBe('changed\noriginal\noriginal\nDockerfile\na.txt\n0:0 640\n0:0 755');
    expect(await readFile(path.join(ctx, 'a.txt'), 'utf8')).toBe('original\n');
  }, 180_000);

  describe('ADD of a Git repository', () => {
    let daemon: ChildProcess | undefined;
    let url = '';
    beforeAll(async () => {
      const repo = path.join(work, 'git-src');
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-C', repo, ...args], { stdio: 'pipe' });
      await writeContext(work, 'git-src', { 'README.md': 'top\n', 'sub/file.txt': 'in sub\n' });
      git('init', '-q', '-b', 'main');
      git('add', '.');
      git('commit', '-q', '-m', 'first');
      git('tag', 'v1');
      await writeFile(path.join(repo, 'sub/file.txt'), 'in sub, second\n');
      git('commit', '-q', '-am', 'second');
      execFileSync('git', ['clone', '-q', '--bare', repo, path.join(work, 'served', 'repo.git')]);
      const port = await freeLoopbackPort();
      daemon = spawn('git', ['daemon', '--reuseaddr', '--export-all', `--base-path=${path.join(work, 'served')}`, '--listen=127.0.0.1', `--port=${port}`], { stdio: 'ignore' });
      url = `git://127.0.0.1:${port}/repo.git`;
      for (let tries = 0; ; tries++) {
        try {
          execFileSync('git', ['ls-remote', url], { stdio: 'pipe' });
          break;
        } catch (err) {
          if (tries > 100) throw err;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }, 60_000);
    afterAll(async () => {
      if (daemon) await stopByPid(daemon);
    });

    it('clones a branch, a tag with a subdirectory, and keeps .git only with --keep-git-dir', async () => {
      const ctx = await writeContext(work, 'git-add', {
        Dockerfile: `FROM ${rig.busybox}\nADD ${url} /head/\nADD ${url}#v1:sub /tagged/\nADD --keep-git-dir ${url}#main /full/\n`,
      });
      await ok(['build', '--progress=plain', '-t', 'bk-git', ctx]);
      const show = 'cat /head/sub/file.txt /tagged/file.txt; ls -a /head | grep -c "^.git$"; ls -d /full/.git; cat /full/README.md';
      expect(await rig.ok(['run', '--rm', 'bk-git', 'sh', '-c', show])).toBe('in sub, second\nin sub\n0\n/full/.git\ntop');
      const again = await ok(['build', '--progress=plain', '-t', 'bk-git', ctx]);
      expect(again).toMatch(/\[2\/4\] ADD git:.*\n#\d+ CACHED/);
    }, 180_000);

    it('a source that is not a repository fails the build with git\'s reason', async () => {
      const ctx = await writeContext(work, 'git-bad', { Dockerfile: `FROM ${rig.busybox}\nADD ${url.replace('repo.git', 'nope.git')} /x/\n` });
      const r = await bx(['build', '--progress=plain', ctx]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ERROR: failed to solve: failed to fetch remote .*nope\.git/);
    }, 120_000);
  });

  it('# syntax=docker/dockerfile:1 is served by the built-in frontend with a warning; another frontend fails clearly', async () => {
    const served = await writeContext(work, 'syntax-ok', { Dockerfile: `# syntax=docker/dockerfile:1\nFROM ${rig.busybox}\nRUN echo syntax-ok\n` });
    const out = await ok(['build', '--progress=plain', '--no-cache', served]);
    expect(out).toContain('syntax docker/dockerfile:1 served by the built-in frontend');
    expect(out).toContain('syntax-ok');
    const custom = await writeContext(work, 'syntax-custom', { Dockerfile: `# syntax=example.com/frontends/mine:2\nFROM ${rig.busybox}\n` });
    const r = await bx(['build', '--progress=plain', custom]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR: failed to solve: custom Dockerfile frontends are not supported by this engine: syntax example.com/frontends/mine:2');
  }, 120_000);
});
