import { dockerOk, pulledInto } from '../fixtures.js';
import { defineScenario, type BenchScenario } from '../scenario.js';

interface Ctx {
  ref: string;
}

/**
 * `docker run --rm busybox true` with the real CLI: create, attach, start, wait, remove, all of the daemon path a user
 * feels. `none` compares the engines on the container path alone; `bridge` adds the network setup (a veth, an
 * address, the sandbox files), which issue 5 wants inside the same budget.
 */
function runRmTrue(network: 'none' | 'bridge'): BenchScenario {
  return defineScenario<Ctx>({
    name: network === 'none' ? 'run-rm-true' : 'run-rm-true-bridge',
    description: `\`docker run --rm --network ${network} busybox true\` with the real CLI, ms`,
    unit: 'ms',
    better: 'lower',
    defaultIterations: 10,
    unsupported: (target) => (network === 'bridge' ? target.noBridge : undefined),
    async setup(target) {
      return { ref: await pulledInto(target, 'busybox') };
    },
    async run({ ref }, target) {
      await dockerOk(target, ['run', '--rm', '--network', network, ref, 'true']);
    },
  });
}

export default runRmTrue('none');
export const runRmTrueBridge = runRmTrue('bridge');
