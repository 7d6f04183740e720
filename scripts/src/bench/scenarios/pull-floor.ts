import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { shapedImage, type ImageShape } from '../big-image.js';
import { benchImage, benchRegistryUrl, type BenchImageName } from '../fixtures.js';
import { summarize } from '../stats.js';

const run = promisify(execFile);
const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const FLOOR_RUNS = 3;

/**
 * What no engine can beat on this machine: the layers' raw download from the same loopback registry (all four at
 * once, bodies discarded) and `tar -xzf` of the same layers, one after another, into a fresh directory.
 */
export async function pullFloor(shape: ImageShape, name: BenchImageName): Promise<string[]> {
  const { image, blobs } = await shapedImage(shape);
  const url = await benchRegistryUrl();
  await benchImage(name);
  const layers = image.layers.map((l) => l.digest);
  const download: number[] = [];
  for (let i = 0; i < FLOOR_RUNS; i++) {
    const start = process.hrtime.bigint();
    await Promise.all(
      layers.map(async (digest) => {
        const res = await fetch(`${url}/v2/berth-bench/${name}/blobs/${digest}`);
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
