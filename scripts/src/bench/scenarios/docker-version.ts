import { docker } from '../../testrig/docker-cli.js';
import { defineScenario } from '../scenario.js';

/** The whole round trip a user feels: CLI start, version negotiation (`/_ping`), `/version`, output. */
export default defineScenario({
  name: 'docker-version',
  description: '`docker version` with the real CLI, wall time per run',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 20,
  async run(_ctx, target) {
    const res = await docker(['version'], { host: target.dockerHost });
    if (res.code !== 0) throw new Error(`docker version against ${target.label} exited ${res.code}: ${res.stderr}`);
  },
});
