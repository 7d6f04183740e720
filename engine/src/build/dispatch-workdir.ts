/**
 * WORKDIR: relative paths resolve against the previous one, and the directory is created in the image when it does
 * not exist, which makes a layer; otherwise the classic builder's step changes the config only. The classic builder
 * creates it owned by root, as dockerd's does; BuildKit's by the current USER, and it commits its mkdir as a layer
 * even when the directory was there (an empty one), but for `/`.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Builder } from './builder.js';
import { mkdirInRoot } from './copy.js';
import { resolveIdentity } from './identity.js';
import type { StageState } from './state.js';

export async function dispatchWorkdir(b: Builder, state: StageState, dir: string): Promise<void> {
  const target = path.posix.resolve(state.config.WorkingDir || '/', dir);
  state.config.WorkingDir = target;
  const cacheKey = [...b.shell(state), `#(nop) WORKDIR ${target}`];
  const buildkit = b.opts.buildkit === true;
  await b.commit(state, {
    createdBy: buildkit ? `WORKDIR ${target}` : cacheKey.join(' '),
    cacheKey,
    produce: async () => {
      const m = await b.mount(state.image);
      try {
        const user = buildkit ? state.config.User : undefined;
        await mkdirInRoot(m.root, target, user ? await resolveIdentity(m.root, user) : { uid: 0, gid: 0 });
        await m.unmount();
        if ((!buildkit || target === '/') && (await readdir(m.upper)).length === 0) return undefined;
        return { upperDir: m.upper };
      } catch (err) {
        await b.release(m);
        throw err;
      }
    },
  });
}
