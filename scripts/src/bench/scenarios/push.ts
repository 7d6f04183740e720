import { docker } from '../../testrig/docker-cli.js';
import { startRegistry } from '../../testrig/registry.js';
import { BIG_IMAGE_LAYERS } from '../big-image.js';
import { dockerOk, pulledInto } from '../fixtures.js';
import { defineScenario } from '../scenario.js';

/** A push that claims success must have left the manifest and every layer in the registry. */
async function expectAllBlobs(url: string, repo: string): Promise<void> {
  const res = await fetch(`${url}/v2/${repo}/manifests/latest`, {
    headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
  });
  if (res.status !== 200) throw new Error(`pushed manifest: HTTP ${res.status}`);
  const manifest = (await res.json()) as { config: { digest: string }; layers: { digest: string }[] };
  for (const { digest } of [manifest.config, ...manifest.layers]) {
    const head = await fetch(`${url}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    if (head.status !== 200) throw new Error(`pushed blob ${digest}: HTTP ${head.status}`);
  }
  if (manifest.layers.length !== BIG_IMAGE_LAYERS) throw new Error(`pushed manifest lists ${manifest.layers.length} layers, want ${BIG_IMAGE_LAYERS}`);
}

interface Ctx {
  ref: string;
}

/**
 * `docker push` of the 4-layer image to an empty registry: each iteration starts a registry of its own (untimed), so
 * every blob is uploaded (no "Layer already exists", no cross-repository mount).
 */
export default defineScenario<Ctx>({
  name: 'push',
  description: '`docker push` of the 4-layer ~100 MiB image to an empty loopback registry, ms',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 3,
  async setup(target) {
    return { ref: await pulledInto(target, 'big') };
  },
  async run({ ref }, target) {
    const registry = await startRegistry();
    const pushRef = `${registry.host}/berth-bench/push:latest`;
    try {
      await dockerOk(target, ['tag', ref, pushRef]);
      const start = process.hrtime.bigint();
      await dockerOk(target, ['push', '--quiet', pushRef]);
      const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
      await expectAllBlobs(registry.url, 'berth-bench/push');
      return elapsedMs;
    } finally {
      await docker(['rmi', pushRef], { host: target.dockerHost });
      await registry.stop();
    }
  },
});
