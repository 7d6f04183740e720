/** The runtime layer: OCI specs, runc/crun drivers, and the per-container monitor. */
export * from './spec/index.js';
export * from './oci/runtime.js';
export * from './oci/cli-runtime.js';
export * from './oci/cgroups.js';
export * from './oci/detect.js';
export * from './oci/errors.js';
export * from './oci/signals.js';
export * from './monitor/attachment.js';
export * from './monitor/binary.js';
export * from './monitor/container-process.js';
