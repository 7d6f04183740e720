import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { docker } from '../../testrig/docker-cli.js';
import { writeDockerArchive } from '../../testrig/images/docker-archive.js';
import { testImages } from '../../testrig/images/fixture-cache.js';
import { defineScenario, type BenchTarget } from '../scenario.js';

const BASE = 'berth-bench/busybox:latest';

interface Ctx {
  dir: string;
}

async function ok(target: BenchTarget, args: string[], buildx = false): Promise<string> {
  const r = await docker(args, { host: target.dockerHost, timeoutMs: 120_000, client: { buildx } });
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} against ${target.label} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Loads the base image into the engine and writes the context: a Dockerfile and 1 MB of random bytes. */
async function scenarioSetup(target: BenchTarget): Promise<Ctx> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'berth-bench-build-'));
  const { catalog } = await testImages();
  const archive = await writeDockerArchive(catalog.busybox.image, path.join(dir, 'base.tar'), { tags: [BASE] });
  await ok(target, ['load', '-q', '-i', archive]);
  await rm(archive);
  // The RUN writes a fresh UUID so every build makes new layers: a step whose layer is byte-identical to an earlier
  // one (same content within the same second) would find its snapshot made already and measure less than a build.
  await writeFile(path.join(dir, 'Dockerfile'), `FROM ${BASE}\nRUN cat /proc/sys/kernel/random/uuid > /built.txt\nCOPY blob.bin /blob.bin\n`);
  await writeFile(path.join(dir, 'blob.bin'), randomBytes(1 << 20));
  return { dir };
}

async function scenarioTeardown({ dir }: Ctx, target: BenchTarget): Promise<void> {
  await docker(['rmi', '-f', 'berth-bench/built:latest', BASE], { host: target.dockerHost }).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

/**
 * The classic builder (`DOCKER_BUILDKIT=0`, as the rig's CLI runs) on a 3-step Dockerfile: FROM, RUN, COPY of a
 * 1 MB file, with `--no-cache` so every step runs: one container, two layer commits, the context upload.
 */
export default defineScenario<Ctx>({
  name: 'build-no-cache',
  description: '`docker build --no-cache` of FROM + RUN + COPY 1 MB (classic builder), wall time per build',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 8,
  setup: scenarioSetup,
  async run({ dir }, target) {
    await ok(target, ['build', '--no-cache', '-q', '-t', 'berth-bench/built:latest', dir]);
  },
  teardown: scenarioTeardown,
});

/** The same build again with nothing changed: every step a cache hit (context upload, checksums, cache lookups). */
export const buildCached = defineScenario<Ctx>({
  name: 'build-cached',
  description: '`docker build` of the same FROM + RUN + COPY 1 MB with every step cached, wall time per build',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 10,
  async setup(target) {
    const ctx = await scenarioSetup(target);
    await ok(target, ['build', '-q', '-t', 'berth-bench/built:latest', ctx.dir]);
    return ctx;
  },
  async run({ dir }, target) {
    await ok(target, ['build', '-q', '-t', 'berth-bench/built:latest', dir]);
  },
  teardown: scenarioTeardown,
});

/** A 200 MB directory whose `.dockerignore` leaves out half of it: the CLI's tar, the upload and its unpacking. */
export const buildContext200 = defineScenario<Ctx>({
  name: 'build-context-200mb',
  description: '`docker build` of a 200 MB directory, 100 MB of it excluded by .dockerignore, steps cached, wall time',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 5,
  async setup(target) {
    const ctx = await scenarioSetup(target);
    for (const half of ['keep', 'drop']) {
      await mkdir(path.join(ctx.dir, half));
      for (let i = 0; i < 50; i++) await writeFile(path.join(ctx.dir, half, `f${i}.bin`), randomBytes(2 << 20));
    }
    await writeFile(path.join(ctx.dir, '.dockerignore'), 'drop/\nblob.bin\n');
    await writeFile(path.join(ctx.dir, 'Dockerfile'), `FROM ${BASE}\nLABEL context=200mb\n`);
    return ctx;
  },
  async run({ dir }, target) {
    await ok(target, ['build', '-q', '-t', 'berth-bench/built:latest', dir]);
  },
  teardown: scenarioTeardown,
});

/**
 * The same 3-step build through BuildKit (the bundled CLI with buildx 0.13.1: `docker build` is `buildx build`),
 * `--no-cache`: the /grpc + /session round trips, FileSync of the context, every step run, the moby exporter.
 */
export const buildkitNoCache = defineScenario<Ctx>({
  name: 'buildkit-build-no-cache',
  description: '`docker build --no-cache` of FROM + RUN + COPY 1 MB through buildx (BuildKit), wall time per build',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 6,
  setup: scenarioSetup,
  async run({ dir }, target) {
    await ok(target, ['build', '--no-cache', '-q', '-t', 'berth-bench/built:latest', dir], true);
  },
  teardown: scenarioTeardown,
});

/** The BuildKit build again with nothing changed: every step cached. */
export const buildkitCached = defineScenario<Ctx>({
  name: 'buildkit-build-cached',
  description: '`docker build` of the same FROM + RUN + COPY 1 MB through buildx (BuildKit), every step cached, wall time',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 8,
  async setup(target) {
    const ctx = await scenarioSetup(target);
    await ok(target, ['build', '-q', '-t', 'berth-bench/built:latest', ctx.dir], true);
    return ctx;
  },
  async run({ dir }, target) {
    await ok(target, ['build', '-q', '-t', 'berth-bench/built:latest', dir], true);
  },
  teardown: scenarioTeardown,
});
