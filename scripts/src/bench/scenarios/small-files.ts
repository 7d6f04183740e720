import { SMALL_FILES_SHAPE } from '../big-image.js';
import { benchImage, dockerOk } from '../fixtures.js';
import { defineScenario } from '../scenario.js';
import { pullFloor } from './pull-floor.js';
import { coldPullScenario, removeImage } from './pull.js';

interface Ctx {
  ref: string;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/**
 * Issue 16's pull shape: 4 layers each holding 2,000 small files beside two 5 MiB binaries (`node_modules`-like),
 * where per-file cost, not bytes, dominates. Pull and `rmi` are separate figures; each untimed step puts the store
 * back in the state the timed one starts from. Not in the bench smoke test: one pull costs seconds.
 */
export const smallFilesPull = coldPullScenario({
  name: 'small-files-pull',
  description: '`docker pull` of a 4-layer ~96 MiB image with 2,000 small files per layer (plus 40 MiB of binaries), ms',
  image: 'small-files',
  floor: () => pullFloor(SMALL_FILES_SHAPE, 'small-files'),
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
