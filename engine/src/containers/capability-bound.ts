import { readFileSync } from 'node:fs';
import { ALL_CAPABILITIES } from '../runtime/index.js';

/**
 * The capabilities berthd itself may hand out (its bounding set, in bit order). `--privileged` means "everything
 * the engine has": where the engine runs with fewer than all (this build machine lacks CAP_SYS_RESOURCE), asking
 * the runtime for all would fail the start with "unable to apply caps".
 */
export function engineCapabilityBound(statusText?: string): string[] {
  const text = statusText ?? readFileSync('/proc/self/status', 'utf8');
  const hex = /^CapBnd:\s*([0-9a-f]+)/m.exec(text)?.[1];
  if (!hex) return [...ALL_CAPABILITIES];
  const bits = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => (bits >> BigInt(bit)) & 1n);
}
