/**
 * An image's filesystem mounted for the builder: overlayfs over the image's snapshots with a fresh upper dir, so
 * COPY/ADD write into the upper dir (whose contents are the new layer) and `COPY --from` reads another stage's
 * files through the same view. Mount points live under the exec root, upper dirs under the data root.
 */
import { randomBytes } from 'node:crypto';
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { mountRootfs, prepareRootfsDirs, unmountRootfs, type RootfsPaths } from '../containers/rootfs.js';

export interface MountedImage {
  /** The merged view: the image's `/`. */
  root: string;
  /** What was written since mounting, in overlay's upper-dir format. */
  upper: string;
  unmount(): Promise<void>;
  /** Unmounts and deletes the upper dir. */
  dispose(): Promise<void>;
}

export async function mountImage(dirs: { dataDir: string; execDir: string }, layers: string[]): Promise<MountedImage> {
  const id = randomBytes(6).toString('hex');
  const work = path.join(dirs.dataDir, id);
  const paths: RootfsPaths = {
    upper: path.join(work, 'upper'),
    work: path.join(work, 'work'),
    empty: path.join(work, 'empty'),
    merged: path.join(dirs.execDir, id),
  };
  await prepareRootfsDirs(paths);
  try {
    await mountRootfs(paths, layers);
  } catch (err) {
    await rm(work, { recursive: true, force: true });
    throw err;
  }
  let mounted = true;
  const unmount = async (): Promise<void> => {
    if (!mounted) return;
    mounted = false;
    await unmountRootfs(paths);
    // Never recursive: were the unmount to have failed, that would delete through into the image's layers.
    await rmdir(paths.merged).catch(() => undefined);
  };
  return {
    root: paths.merged,
    upper: paths.upper,
    unmount,
    async dispose() {
      await unmount().catch(() => undefined);
      await rm(work, { recursive: true, force: true });
    },
  };
}
