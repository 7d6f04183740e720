import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerContext } from './context.js';
import { containerRootfsPaths } from './rootfs-access.js';
import type { ContainerRecord } from './types.js';
import { summaryView } from './views.js';

/**
 * Bytes under a directory as dockerd's directory.Size counts them: sizes of everything but directories, each hard
 * linked inode once.
 */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        await walk(p);
        continue;
      }
      const st = await lstat(p, { bigint: true }).catch(() => undefined);
      if (!st) continue;
      if (st.nlink > 1n) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += Number(st.size);
    }
  };
  await walk(dir);
  return total;
}

export interface ContainerSizes {
  /** The writable layer. */
  SizeRw: number;
  /** The writable layer plus the image it sits on. */
  SizeRootFs: number;
}

/** `size=1` of container list and inspect, and the figures of `/system/df`. */
export async function containerSizes(ctx: ContainerContext, record: ContainerRecord): Promise<ContainerSizes> {
  const rw = await directorySize(containerRootfsPaths(ctx, record).upper);
  let image = 0;
  try {
    image = ctx.images.get(record.ImageId).layerSizes.reduce((a, b) => a + b, 0);
  } catch {
    // The image is gone (forced removal): the root filesystem is what is left.
  }
  return { SizeRw: rw, SizeRootFs: rw + image };
}

/** The containers part of `GET /system/df`: every container's summary with its sizes, newest first. */
export async function containersDiskUsage(ctx: ContainerContext): Promise<Array<Record<string, unknown>>> {
  const records = [...ctx.store.all()].sort((a, b) => Date.parse(b.Created) - Date.parse(a.Created));
  const out: Array<Record<string, unknown>> = [];
  for (const r of records) out.push({ ...summaryView(r), ...(await containerSizes(ctx, r)) });
  return out;
}
