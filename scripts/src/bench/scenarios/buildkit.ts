/**
 * BuildKit executor scenarios through the bundled CLI's buildx, side by side with the dockerd peer: independent
 * stages at once, a cache mount reused, a large many-file context. The first two measure one engine against itself
 * (a percentage: lower is better), so the table's ratio compares how well each engine does it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { docker } from '../../testrig/docker-cli.js';
import { writeDockerArchive } from '../../testrig/images/docker-archive.js';
import { testImages } from '../../testrig/images/fixture-cache.js';
import { defineScenario, type BenchTarget } from '../scenario.js';

const BASE = 'berth-bench/busybox:latest';

async function build(target: BenchTarget, args: string[]): Promise<string> {
  const r = await docker(['build', '--progress=plain', ...args], { host: target.dockerHost, timeoutMs: 300_000, client: { buildx: true } });
  if (r.code !== 0) throw new Error(`docker build ${args.join(' ')} against ${target.label} exited ${r.code}: ${r.stderr}`);
  return r.stderr;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** A fresh dir with the busybox base loaded into the engine. */
async function withBase(target: BenchTarget, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const { catalog } = await testImages();
  const archive = await writeDockerArchive(catalog.busybox.image, path.join(dir, 'base.tar'), { tags: [BASE] });
  const r = await docker(['load', '-q', '-i', archive], { host: target.dockerHost });
  if (r.code !== 0) throw new Error(`docker load against ${target.label}: ${r.stderr}`);
  await rm(archive);
  return dir;
}

async function teardown(dir: string, target: BenchTarget): Promise<void> {
  await docker(['rmi', '-f', BASE], { host: target.dockerHost }).catch(() => undefined);
  await docker(['builder', 'prune', '-a', '-f'], { host: target.dockerHost, client: { buildx: true } }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

/**
 * Each stage: a second of waiting (a download, as most stages' work is) and 16 MB hashed. `chained` makes the
 * second stage start from the first one's result, so the same work runs one stage after the other.
 */
function stagesDockerfile(chained: boolean): string {
  const work = (name: string) => `RUN sleep 1 && head -c 16777216 /dev/urandom | sha256sum > /${name}.sum`;
  return [
    `FROM ${BASE} AS one`,
    work('one'),
    chained ? 'FROM one AS two' : `FROM ${BASE} AS two`,
    work('two'),
    `FROM ${BASE}`,
    'COPY --from=one /one.sum /one.sum',
    'COPY --from=two /two.sum /two.sum',
    '',
  ].join('\n');
}

/** Wall time of the 2-stage build with independent stages, as a percentage of the same stages chained. */
export const buildkitParallelStages = defineScenario<{ dir: string }>({
  name: 'buildkit-parallel-stages',
  description: '2 independent stages (1 s wait + 16 MB hashed each), --no-cache wall time as % of the same stages run one after the other',
  unit: '%',
  better: 'lower',
  defaultIterations: 4,
  async setup(target) {
    const dir = await withBase(target, 'berth-bench-stages-');
    for (const kind of ['parallel', 'chained']) {
      await mkdir(path.join(dir, kind));
      await writeFile(path.join(dir, kind, 'Dockerfile'), stagesDockerfile(kind === 'chained'));
    }
    return { dir };
  },
  async run({ dir }, target) {
    const parallel = await timed(() => build(target, ['--no-cache', '-t', 'berth-bench/stages:latest', path.join(dir, 'parallel')]));
    const chained = await timed(() => build(target, ['--no-cache', '-t', 'berth-bench/stages:latest', path.join(dir, 'chained')]));
    return (100 * parallel) / chained;
  },
  async teardown({ dir }, target) {
    await docker(['rmi', '-f', 'berth-bench/stages:latest'], { host: target.dockerHost }).catch(() => undefined);
    await teardown(dir, target);
  },
});

/** The duration BuildKit's plain progress gives a vertex (`#5 DONE 1.3s`), in ms. */
function vertexSeconds(progress: string, name: RegExp): number {
  const lines = progress.split('\n');
  const start = lines.findIndex((l) => name.test(l));
  const id = start >= 0 ? /^#(\d+) /.exec(lines[start]!)?.[1] : undefined;
  const done = id ? lines.slice(start).map((l) => new RegExp(`^#${id} DONE ([\\d.]+)s`).exec(l)).find(Boolean) : undefined;
  if (!done) throw new Error(`no DONE line for ${name} in:\n${progress}`);
  return Number(done[1]) * 1000;
}

/**
 * A RUN with a cache mount that it fills with 50 MB the first time (a package download) and afterwards only looks
 * at (a package manager finding its cache warm); a changed source file before it re-runs it. The sample: that
 * second RUN's time as % of the first's.
 */
export const buildkitCacheMount = defineScenario<{ dir: string; n: number }>({
  name: 'buildkit-cache-mount',
  description: 'RUN --mount=type=cache filling 50 MB, then re-run after a source change: its time as % of the first run',
  unit: '%',
  better: 'lower',
  defaultIterations: 4,
  async setup(target) {
    return { dir: await withBase(target, 'berth-bench-cachemount-'), n: 0 };
  },
  async run(ctx, target) {
    // A new cache id each iteration, so the first build always fills an empty cache.
    const id = `bench-${randomBytes(6).toString('hex')}`;
    const fill = 'if [ ! -f /cache/filled ]; then for i in 1 2 3 4 5; do head -c 10485760 /dev/urandom > /cache/pkg$i; done; touch /cache/filled; fi';
    await writeFile(
      path.join(ctx.dir, 'Dockerfile'),
      `FROM ${BASE}\nCOPY src.txt /src.txt\nRUN --mount=type=cache,id=${id},target=/cache ${fill} && du -s /cache > /built && cat /src.txt >> /built\n`,
    );
    await writeFile(path.join(ctx.dir, 'src.txt'), `source ${ctx.n++}\n`);
    // dockerd 20.10's BuildKit names the unnamed stage (`[stage-0 3/3]`).
    const step = /\[(?:stage-0 )?3\/3\] RUN --mount=type=cache/;
    const first = vertexSeconds(await build(target, ['-t', 'berth-bench/cachemount:latest', ctx.dir]), step);
    await writeFile(path.join(ctx.dir, 'src.txt'), `source ${ctx.n++}\n`);
    const second = vertexSeconds(await build(target, ['-t', 'berth-bench/cachemount:latest', ctx.dir]), step);
    return (100 * second) / first;
  },
  async teardown({ dir }, target) {
    await docker(['rmi', '-f', 'berth-bench/cachemount:latest'], { host: target.dockerHost }).catch(() => undefined);
    await teardown(dir, target);
  },
});

/** The 20k-file context both engines build from: made once (the same bytes for both), removed by the last user. */
interface SharedContext {
  root: string;
  dir: string;
  n: number;
  users: number;
}
let sharedContext: Promise<SharedContext> | undefined;

async function makeContext(): Promise<SharedContext> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'berth-bench-ctx20k-'));
  const dir = path.join(root, 'ctx-0');
  for (let d = 0; d < 200; d++) {
    const sub = path.join(dir, `d${d}`);
    await mkdir(sub, { recursive: true });
    for (let f = 0; f < 100; f++) await writeFile(path.join(sub, `f${f}.bin`), randomBytes(10_240));
  }
  await writeFile(path.join(dir, 'Dockerfile'), `FROM ${BASE}\nCOPY . /ctx/\n`);
  return { root, dir, n: 0, users: 0 };
}

/**
 * A 200 MB context of 20,000 files (10 KB each, 100 per directory) sent to the engine and copied into the image
 * with --no-cache. Both engines build the same context dir, which gets a new path every iteration, so neither can
 * send only a difference from the last build (BuildKit keys its context cache on the path). Settled (see
 * `ScenarioSpec.settled`): its figure is otherwise mostly whose writeback it ran beside.
 */
export const buildkitContext20k = defineScenario<{ base: string; shared: SharedContext }>({
  name: 'buildkit-context-20k',
  description: '200 MB / 20,000-file context through buildx: transfer + COPY . (--no-cache), wall time',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 3,
  settled: true,
  async setup(target) {
    const base = await withBase(target, 'berth-bench-ctx20k-base-');
    const shared = await (sharedContext ??= makeContext());
    shared.users++;
    return { base, shared };
  },
  async run({ shared }, target) {
    const next = path.join(shared.root, `ctx-${++shared.n}`);
    await rename(shared.dir, next);
    shared.dir = next;
    const start = process.hrtime.bigint();
    const progress = await build(target, ['--no-cache', '-t', 'berth-bench/ctx20k:latest', shared.dir]);
    const value = Number(process.hrtime.bigint() - start) / 1e6;
    // Where it went, as each engine's own progress reports it.
    return { value, parts: { transfer: vertexSeconds(progress, /\[internal\] load build context/), copy: vertexSeconds(progress, /\] COPY \. \/ctx\//) } };
  },
  async teardown({ base, shared }, target) {
    await docker(['rmi', '-f', 'berth-bench/ctx20k:latest'], { host: target.dockerHost }).catch(() => undefined);
    await teardown(base, target);
    if (--shared.users === 0) {
      sharedContext = undefined;
      await rm(shared.root, { recursive: true, force: true });
    }
  },
});
