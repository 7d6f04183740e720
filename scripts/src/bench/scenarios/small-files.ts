import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { shapedImage, SMALL_FILES_SHAPE } from '../big-image.js';
import { benchImage, benchRegistryUrl, dockerOk } from '../fixtures.js';
import { defineScenario } from '../scenario.js';
import { coldPullScenario, removeImage } from './pull.js';
import { summarize } from '../stats.js';

const run = promisify(execFile);

interface Ctx {
  ref: string;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const FLOOR_RUNS = 3;

/**
 * Issue 16's pull shape: 4 layers each holding 2,000 small files beside two 5 MiB binaries (`node_modules`-like),
 * where per-file cost, not bytes, dominates. Pull and `rmi` are separate figures; each untimed step puts the store
 * back in the state the timed one starts from. Not in the bench smoke test: one pull costs seconds.
 */
export const smallFilesPull = coldPullScenario({
  name: 'small-files-pull',
  description: '`docker pull` of a 4-layer ~96 MiB image with 2,000 small files per layer (plus 40 MiB of binaries), ms',
  image: 'small-files',
  floor: smallFilesFloor,
});

export const smallFilesRmi = defineScenario<Ctx>({
  name: 'small-files-rmi',
  description: '`docker rmi` of that image (its 8,000 files), the only image using its layers, ms',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 5,
  async setup(target) {
    const ref = await benchImage('small-files');
    await removeImage(target, ref);
    return { ref };
  },
  async run({ ref }, target) {
    await dockerOk(target, ['pull', '--quiet', ref]);
    const start = process.hrtime.bigint();
    await dockerOk(target, ['rmi', ref]);
    return since(start);
  },
  async teardown({ ref }, target) {
    await removeImage(target, ref);
  },
});

/**
 * What no engine can beat on this machine: the layers' raw download from the same loopback registry (all four at
 * once, bodies discarded) and `tar -xzf` of the same layers, one after another, into a fresh directory.
 */
async function smallFilesFloor(): Promise<string[]> {
  const { image, blobs } = await shapedImage(SMALL_FILES_SHAPE);
  const url = await benchRegistryUrl();
  await benchImage('small-files');
  const layers = image.layers.map((l) => l.digest);
  const download: number[] = [];
  for (let i = 0; i < FLOOR_RUNS; i++) {
    const start = process.hrtime.bigint();
    await Promise.all(
      layers.map(async (digest) => {
        const res = await fetch(`${url}/v2/berth-bench/small-files/blobs/${digest}`);
        if (!res.ok) throw new Error(`GET blob ${digest}: HTTP ${res.status}`);
        await res.arrayBuffer();
      }),
    );
    download.push(since(start));
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'berth-bench-floor-'));
  try {
    const files = layers.map((_, i) => path.join(work, `layer${i}.tar.gz`));
    await Promise.all(layers.map((digest, i) => writeFile(files[i]!, blobs.get(digest)!)));
    const untar: number[] = [];
    for (let i = 0; i < FLOOR_RUNS; i++) {
      const dest = path.join(work, `root${i}`);
      await run('mkdir', [dest]);
      const start = process.hrtime.bigint();
      for (const f of files) await run('tar', ['-xzf', f, '-C', dest]);
      untar.push(since(start));
      await rm(dest, { recursive: true, force: true });
    }
    const mib = layers.reduce((n, d) => n + blobs.get(d)!.length, 0) / (1024 * 1024);
    return [
      `floor: raw download of the ${layers.length} layers (${mib.toFixed(1)} MiB gzip) from the loopback registry ${summarize(download).median.toFixed(0)} ms`,
      `floor: tar -xzf of the same layers in turn ${summarize(untar).median.toFixed(0)} ms (medians of ${FLOOR_RUNS})`,
    ];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
