import { docker } from '../../testrig/docker-cli.js';
import { BIG_SHAPE } from '../big-image.js';
import { benchImage, dockerOk, pulledInto, type BenchImageName } from '../fixtures.js';
import { defineScenario, type BenchScenario, type BenchTarget } from '../scenario.js';
import { pullFloor } from './pull-floor.js';

interface Ctx {
  ref: string;
}

export const removeImage = (target: BenchTarget, ref: string) => docker(['rmi', '--force', ref], { host: target.dockerHost });

/**
 * Issue 3's headline: a cold pull, where unpacking is the cost (the download from a loopback registry is a small
 * part). The image is removed before each iteration, untimed, so every pull starts from an empty store.
 */
export default coldPullScenario({
  name: 'pull',
  description: '`docker pull` of a 4-layer ~100 MiB (75 MiB gzip) image from a loopback registry into an empty store, ms',
  image: 'big',
  floor: () => pullFloor(BIG_SHAPE, 'big'),
});

/**
 * `docker pull` of one of the bench images into a store without it: the image is removed before each iteration,
 * untimed, so every pull unpacks everything.
 */
export function coldPullScenario(o: { name: string; description: string; image: BenchImageName; floor?: () => Promise<string[]> }): BenchScenario {
  return defineScenario<Ctx>({
    name: o.name,
    description: o.description,
    unit: 'ms',
    better: 'lower',
    defaultIterations: 5,
    async setup(target) {
      const ref = await benchImage(o.image);
      await removeImage(target, ref);
      return { ref };
    },
    async run({ ref }, target) {
      await removeImage(target, ref);
      const start = process.hrtime.bigint();
      await dockerOk(target, ['pull', '--quiet', ref]);
      return Number(process.hrtime.bigint() - start) / 1e6;
    },
    async teardown({ ref }, target) {
      await removeImage(target, ref);
    },
    ...(o.floor ? { floor: o.floor } : {}),
  });
}

/** Re-pull of an image already in the store: manifest round trip and "Image is up to date", nothing unpacked. */
export const pullPresent = defineScenario<Ctx>({
  name: 'pull-present',
  description: '`docker pull` of the same 4-layer image when it is already present, ms',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 10,
  async setup(target) {
    return { ref: await pulledInto(target, 'big') };
  },
  async run({ ref }, target) {
    await dockerOk(target, ['pull', '--quiet', ref]);
  },
  async teardown({ ref }, target) {
    await removeImage(target, ref);
  },
});
