import { CliOciRuntime } from '../../../src/runtime/oci/cli-runtime.js';
import { runtimeConformance } from './conformance.js';

runtimeConformance({
  name: 'runc',
  make: (root) => new CliOciRuntime({ name: 'runc', binary: 'runc', root }),
});
