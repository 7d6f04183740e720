import { detectRuntimes } from '../../../src/runtime/oci/detect.js';
import { CliOciRuntime } from '../../../src/runtime/oci/cli-runtime.js';
import { runtimeConformance } from './conformance.js';

// crun's run of the conformance suite. It runs inside the Berth VM (a pure cgroup v2 kernel, where berthd uses crun),
// bundled and driven by electron/test/integration/vm/crun-conformance.test.ts: crun refuses hybrid cgroup hosts such
// as the build machines, so it is not a host-side *.test.ts. Where crun cannot run, the file fails to load with the
// reason rather than reporting every test as failed.
const crun = (await detectRuntimes()).runtimes.find((r) => r.name === 'crun');
if (!crun?.usable) throw new Error(`crun cannot run here: ${crun?.reason ?? 'not detected'}`);

runtimeConformance({
  name: 'crun',
  make: (root) => new CliOciRuntime({ name: 'crun', binary: 'crun', root }),
});
