import { edit } from './builder.js';
import type { SpecOpt } from './types.js';

/** dockerd's masked paths: hidden behind /dev/null (files) or an empty read-only tmpfs (directories). */
export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/** dockerd's read-only paths: kernel tunables a container must not change for the whole host. */
export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** `--privileged` (and `--security-opt systempaths=unconfined`) passes empty lists. */
export function withMaskedPaths(paths: string[] = DEFAULT_MASKED_PATHS): SpecOpt {
  return edit((s) => {
    s.linux.maskedPaths = [...paths];
  });
}

export function withReadonlyPaths(paths: string[] = DEFAULT_READONLY_PATHS): SpecOpt {
  return edit((s) => {
    s.linux.readonlyPaths = [...paths];
  });
}
