import type { VmError } from '../../host/vm/backend.js';

/** Exit codes of `berth start|stop|restart`, one per kind of failure, so scripts can tell them apart. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  'no-qemu': 3,
  'image-missing': 4,
  timeout: 5,
  crashed: 6,
  'port-taken': 7,
  'not-running': 8,
} as const;

export function exitCodeFor(error: Pick<VmError, 'code'> | undefined): number {
  if (!error) return EXIT.failed;
  return EXIT[error.code] ?? EXIT.failed;
}
