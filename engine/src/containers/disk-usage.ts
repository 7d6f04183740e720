import { directorySize } from '../base/dir-size.js';
import type { ContainerContext } from './context.js';
import { containerRootfsPaths } from './rootfs-access.js';
import type { ContainerRecord } from './types.js';
import { summaryView } from './views.js';

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
