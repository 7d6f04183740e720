import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { writeContext } from './build-context.js';

let rig: ContainerRig;
let work: string;
beforeAll(async () => {
  rig = await startContainerRig();
  work = await mkdtemp(path.join(os.tmpdir(), 'berth-build-'));
}, 120_000);
afterAll(async () => {
  await rig?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

const context = (name: string, files: Record<string, string>): Promise<string> => writeContext(work, name, files);

function steps(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('Step ') || l.startsWith(' ---> '));
}

describe('docker build (classic builder) with the real docker CLI', () => {
  let app: string;
  let firstId = '';

  it('builds a multi-stage Dockerfile and the image runs as described', async () => {
    app = await context('app', {
      Dockerfile: [
        'ARG BASE',
        'FROM ${BASE} AS builder',
        'ARG GREETING=hello',
        'ENV TARGET=${WHO:-world} EMPTY=${UNSET:+never}',
        'WORKDIR /src',
        'COPY . .',
        'RUN echo "$GREETING $TARGET" > /greeting && cat data/keep.txt >> /greeting',
        '',
        'FROM ${BASE}',
        'LABEL org.example.role="final stage" version=1',
        'COPY --from=builder /greeting /srv/greeting',
        'COPY --chown=berth:berth data/ /srv/data/',
        'USER berth',
        'HEALTHCHECK --interval=5s --retries=2 CMD test -f /srv/greeting',
        'CMD ["cat", "/srv/greeting"]',
        '',
      ].join('\n'),
      '.dockerignore': 'secret*\n**/*.tmp\n!data/keep.tmp\n',
      'data/keep.txt': 'kept\n',
      'data/keep.tmp': 'exception\n',
      'data/drop.tmp': 'dropped\n',
      'secret.key': 'hidden\n',
    });
    const out = await rig.ok(['build', '--build-arg', `BASE=${rig.busybox}`, '--build-arg', 'GREETING=hi', '-t', 'berth-test/app:1', '-t', 'berth-test/app:latest', app]);
    expect(out).toMatch(/^Step 1\/14 : ARG BASE$/m);
    expect(out).toMatch(/^Step 8\/14 : FROM \$\{BASE\}$/m);
    expect(out).toMatch(/ ---> Running in [0-9a-f]{12}\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}/);
    expect(out).toMatch(/^Successfully tagged berth-test\/app:1$/m);
    expect(out).toMatch(/^Successfully tagged berth-test\/app:latest$/m);
    firstId = /^Successfully built ([0-9a-f]{12})$/m.exec(out)![1]!;

    expect(await rig.ok(['run', '--rm', 'berth-test/app:1'])).toBe('hi world\nkept');
    expect(await rig.ok(['run', '--rm', 'berth-test/app:1', 'ls', '/srv/data'])).toBe('keep.tmp\nkeep.txt');
    expect(await rig.ok(['run', '--rm', 'berth-test/app:1', 'stat', '-c', '%U:%G %a', '/srv/data/keep.txt'])).toBe('berth:berth 644');
    expect(await rig.ok(['run', '--rm', 'berth-test/app:1', 'id', '-un'])).toBe('berth');
    const config = JSON.parse(await rig.ok(['image', 'inspect', '--format', '{{json .Config}}', 'berth-test/app:1'])) as Record<string, unknown>;
    expect(config.Labels).toEqual({ 'org.example.role': 'final stage', version: '1' });
    expect(config.User).toBe('berth');
    expect(config.Healthcheck).toEqual({ Test: ['CMD-SHELL', 'test -f /srv/greeting'], Interval: 5e9, Retries: 2 });
    expect(config.Cmd).toEqual(['cat', '/srv/greeting']);
    // Intermediate step images stay out of `docker images`; the builder stage's last image is dangling, as with dockerd.
    const listed = (await rig.ok(['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n');
    expect(listed.filter((l) => l === '<none>:<none>')).toHaveLength(1);
    // The first stage never leaked into the final image.
    expect((await rig.docker(['run', '--rm', 'berth-test/app:1', 'ls', '/src'])).code).not.toBe(0);
  }, 120_000);

  it('rebuilds an unchanged context entirely from the cache, to the same image', async () => {
    const out = await rig.ok(['build', '--build-arg', `BASE=${rig.busybox}`, '--build-arg', 'GREETING=hi', '-t', 'berth-test/app:1', app]);
    const lines = steps(out);
    const built = lines.filter((l) => l.startsWith('Step ') && !/ (ARG BASE|FROM .*)$/.test(l)).length;
    expect(lines.filter((l) => l === ' ---> Using cache').length).toBe(built);
    expect(out).not.toContain('Running in');
    expect(/^Successfully built ([0-9a-f]{12})$/m.exec(out)![1]).toBe(firstId);
  }, 60_000);

  it('changing one copied file rebuilds exactly the steps from that COPY on', async () => {
    await writeFile(path.join(app, 'data', 'keep.txt'), 'changed\n');
    const out = await rig.ok(['build', '--build-arg', `BASE=${rig.busybox}`, '--build-arg', 'GREETING=hi', '-t', 'berth-test/app:2', app]);
    const cached = (n: number): boolean => new RegExp(`^Step ${n}/14 : .*\\n ---> Using cache$`, 'm').test(out);
    expect([3, 4, 5].map(cached)).toEqual([true, true, true]);
    expect([6, 7].map(cached)).toEqual([false, false]);
    expect(cached(9)).toBe(true);
    expect([10, 11, 12, 13, 14].map(cached)).toEqual([false, false, false, false, false]);
    expect(await rig.ok(['run', '--rm', 'berth-test/app:2'])).toBe('hi world\nchanged');
  }, 120_000);

  it('fails on a failing RUN with its exit code, keeping that step\'s container as dockerd does (none with --force-rm)', async () => {
    const dir = await context('fail', { Dockerfile: `FROM ${rig.busybox}\nRUN echo before\nRUN echo oops >&2; exit 3\nRUN echo never\n` });
    const r = await rig.docker(['build', dir]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('oops');
    expect(r.stderr).toContain(`The command '/bin/sh -c echo oops >&2; exit 3' returned a non-zero code: 3`);
    expect(r.stdout).not.toContain('never');
    // The succeeded step's container is gone (--rm is the default); the failed one is left to look at.
    const left = (await rig.ok(['ps', '-a', '-q'])).split('\n').filter(Boolean);
    expect(left).toHaveLength(1);
    expect(r.stdout).toContain(` ---> Running in ${left[0]}`);
    expect(await rig.ok(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', left[0]!])).toBe('exited 3');
    expect((await rig.docker(['logs', left[0]!])).stderr).toContain('oops');
    await rig.ok(['rm', left[0]!]);
    const forced = await rig.docker(['build', '--force-rm', dir]);
    expect(forced.code).toBe(3);
    expect(await rig.ok(['ps', '-a', '-q'])).toBe('');
  }, 60_000);

  it('prints only the ID with -q and writes --iidfile; --no-cache runs every step', async () => {
    const dir = await context('quiet', { Dockerfile: `FROM ${rig.busybox}\nRUN echo quiet-step\n` });
    const iid = path.join(work, 'iid');
    const id = await rig.ok(['build', '-q', '--iidfile', iid, dir]);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    // In quiet mode the CLI writes what the daemon streamed (the ID and its newline), as with dockerd.
    expect((await readFile(iid, 'utf8')).trim()).toBe(id);
    const again = await rig.ok(['build', '--no-cache', dir]);
    expect(again).toContain('quiet-step');
    expect(again).not.toContain('Using cache');
  }, 60_000);

  it('reports Dockerfile errors with their line', async () => {
    const dir = await context('bad', { Dockerfile: `FROM ${rig.busybox}\n\nFOO bar\n` });
    const r = await rig.docker(['build', dir]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('dockerfile parse error on line 3: unknown instruction: FOO');
  });
});
