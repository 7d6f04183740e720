/**
 * `FROM NAME` where `--build-context NAME=<dir>` is a local directory (BuildKit allows it): the stage starts from
 * the directory's files as its one layer, owned by root, with the config BuildKit gives a base that is no image
 * (PATH and WorkingDir `/`). BuildKit's exporter describes that layer `local source for NAME`. The image is keyed
 * on what the files hold, so a rebuild with the same directory reuses it and every step cached on top of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Platform } from '../registry/mediatypes.js';
import type { Builder } from './builder.js';
import { copySource } from './copy.js';
import { sourceChecksum } from './sources.js';
import type { CurrentImage, StageState } from './state.js';

/** The comment BuildKit's image exporter gives a history entry it adds for a layer no Dockerfile step made. */
export const EXPORTER_HISTORY_COMMENT = 'buildkit.exporter.image.v0';

export async function localContextImage(b: Builder, name: string, dir: string, platform: Platform): Promise<CurrentImage> {
  const state: StageState = {
    index: -1,
    name,
    image: undefined,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/' },
    platform,
    args: new Map(),
    cmdSet: false,
    author: undefined,
  };
  const sum = await sourceChecksum({ dir, scoped: false }, { rel: '', abs: dir, dir: true });
  let layerDir: string | undefined;
  await b.commit(state, {
    createdBy: `local source for ${name}`,
    comment: EXPORTER_HISTORY_COMMENT,
    cacheKey: [`#(nop) FROM local dir:${sum}`],
    produce: async () => {
      layerDir = path.join(b.deps.dirs.dataDir, `local-${randomBytes(6).toString('hex')}`);
      await mkdir(layerDir, { mode: 0o755 });
      await copySource(layerDir, { rel: '', abs: dir, dir: true }, '/', true, { identity: { uid: 0, gid: 0 }, chmod: undefined });
      return { upperDir: layerDir };
    },
    finish: async () => {
      if (layerDir) await rm(layerDir, { recursive: true, force: true });
    },
  });
  return state.image!;
}
