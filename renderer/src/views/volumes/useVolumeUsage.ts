import { useEffect, useState } from 'react';
import type { VolumeRow } from '@berth/electron/shared/types.js';
import { berth } from '../../api/berth.js';

/**
 * Volume sizes (GET /system/df?type=volume walks every volume, so it is asked for only while a view needs it).
 * Undefined until known; an engine that cannot measure leaves the list's own sizes. A new `version` (the list
 * changed) measures again.
 */
export function useVolumeUsage(active: boolean, version?: unknown): Record<string, number> | undefined {
  const [usage, setUsage] = useState<Record<string, number>>();
  useEffect(() => {
    if (!active) return;
    let live = true;
    berth().invoke('volumes.usage').then((u) => live && setUsage(u), () => live && setUsage({}));
    return () => { live = false; };
  }, [active, version]);
  return usage;
}

export function sizeOf(v: VolumeRow, usage: Record<string, number> | undefined): number {
  return usage?.[v.name] ?? v.size;
}
