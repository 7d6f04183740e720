/**
 * WORKDIR: relative paths resolve against the previous one, and the directory is created in the image (owned by
 * root, as dockerd does) when it does not exist, which makes a layer; otherwise the step changes the config only.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Builder } from './builder.js';
import { mkdirInRoot } from './copy.js';
import type { StageState } from './state.js';

export async function dispatchWorkdir(b: Builder, state: StageState, dir: string): Promise<void> {
  const target = path.posix.resolve(state.config.WorkingDir || '/', dir);
  state.config.WorkingDir = target;
  const probeCmd = [...b.shell(state), `#(nop) WORKDIR ${target}`];
  await b.commit(state, {
    createdBy: probeCmd.join(' '),
    probeCmd,
    produce: async () => {
      const m = await b.mount(state.image);
      try {
        await mkdirInRoot(m.root, target, { uid: 0, gid: 0 });
        await m.unmount();
        if ((await readdir(m.upper)).length === 0) return undefined;
        return { upperDir: m.upper };
      } catch (err) {
        await b.release(m);
        throw err;
      }
    },
  });
}
