import Docker from 'dockerode';
import { pulledInto } from '../fixtures.js';
import { defineScenario } from '../scenario.js';

const CONTAINERS = 20;

interface Ctx {
  api: Docker;
  ref: string;
}

/**
 * What Compose and SDKs do: create, start and force-remove containers through the API, one after the other.
 * `--network none` on both engines, so this is the container path alone (run-rm-true-bridge has the network's share).
 */
export default defineScenario<Ctx>({
  name: 'create-start-rm-x20',
  description: `${CONTAINERS}x create + start + rm -f of a \`sleep\` container through the API (dockerode), ms per ${CONTAINERS}`,
  unit: 'ms',
  better: 'lower',
  defaultIterations: 3,
  async setup(target) {
    return { api: new Docker({ socketPath: target.socket }), ref: await pulledInto(target, 'busybox') };
  },
  async run({ api, ref }) {
    for (let i = 0; i < CONTAINERS; i++) {
      const c = await api.createContainer({ Image: ref, Cmd: ['sleep', '600'], HostConfig: { NetworkMode: 'none' } });
      await c.start();
      await c.remove({ force: true });
    }
  },
});
