import { detectRuntimes } from '../../../src/runtime/oci/detect.js';
import { CliOciRuntime } from '../../../src/runtime/oci/cli-runtime.js';
import { runtimeConformance } from './conformance.js';

// crun refuses hybrid cgroup layouts (this dev host); in the VM (pure cgroup v2) the same suite runs.
const crun = (await detectRuntimes()).runtimes.find((r) => r.name === 'crun');

runtimeConformance({
  name: 'crun',
  ...(crun?.usable ? {} : { skipReason: crun?.reason ?? 'crun is not installed' }),
  make: (root) => new CliOciRuntime({ name: 'crun', binary: 'crun', root }),
});
