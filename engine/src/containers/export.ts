import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Conflict } from '../base/errors.js';
import { RootedFs } from '../base/rooted-fs.js';
import { packTree } from '../base/tar-pack.js';
import { publish, type ContainerContext } from './context.js';
import { withMountedRootfs } from './rootfs-access.js';

/**
 * `docker export`: the container's root filesystem (image plus writable layer, without its volumes) as one tar.
 * `open` is called once the export can start, so earlier failures are still proper error responses.
 */
export async function exportContainer(ctx: ContainerContext, idOrName: string, open: () => Writable): Promise<void> {
  const record = ctx.store.get(idOrName);
  if (record.State.Dead) throw new Conflict(`You cannot export container ${record.Id} which is Dead`);
  if (record.State.Status === 'removing') throw new Conflict(`You cannot export container ${record.Id} which is being removed`);
  await withMountedRootfs(ctx, record, async (merged) => {
    const tar = packTree(new RootedFs(merged), '/', { rebaseName: '', enterMounts: false });
    await Promise.all([tar.done, pipeline(tar.stream, open())]);
  });
  publish(ctx, record, 'export');
}
