/**
 * RUN: the cache key is the command with the build args it sees (`|2 A=1 B=2 /bin/sh -c …`), as dockerd's classic
 * builder keeps it in the history (BuildKit writes `RUN … # buildkit`); on a miss the command runs in a container and its writable layer becomes the step's layer.
 * A non-zero exit fails the build with dockerd's message and the exit code as the error code.
 */
import { errorMessage, InvalidArgument } from '../base/errors.js';
import { shortId } from '../base/ids.js';
import type { Builder } from './builder.js';
import { runHistory } from './buildkit-history.js';
import type { Node } from './dockerfile/parse.js';
import { containerLayer, removingLine, runContainer } from './run-step.js';
import { prepareRunMounts, type RunMounts } from './run-mounts.js';
import { buildArgEnv, type StageState } from './state.js';

export class RunFailed extends InvalidArgument {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

function command(b: Builder, state: StageState, node: Node): string[] {
  if (node.json) return node.json;
  if (node.heredocs.length > 0) {
    // `RUN <<EOF` alone runs the heredoc as the script; otherwise the shell gets the heredocs back with the line.
    if (/^<<-?\s*["']?\w+["']?$/.test(node.rest.trim())) return [...b.shell(state), node.heredocs[0]!.content];
    return [...b.shell(state), `${node.rest}\n${node.heredocs.map((h) => `${h.content}${h.name}`).join('\n')}`];
  }
  return [...b.shell(state), node.rest];
}

export async function dispatchRun(b: Builder, state: StageState, node: Node): Promise<void> {
  const mounts = node.flags.length ? await prepareRunMounts(b, state, node) : undefined;
  try {
    await run(b, state, node, mounts);
  } finally {
    await mounts?.release();
  }
}

async function run(b: Builder, state: StageState, node: Node, mounts: RunMounts | undefined): Promise<void> {
  const cmd = command(b, state, node);
  const args = buildArgEnv(state, b.opts.buildArgs, false);
  const history = args.length ? [`|${args.length}`, ...args, ...cmd] : cmd;
  // Mount sources and the network mode join the cache key, not the history.
  const keyParts = [...(mounts?.cacheKey ?? []), ...(mounts?.networkMode ? [`network:${mounts.networkMode}`] : [])];
  const cacheKey = keyParts.length ? [...history, ...keyParts.map((k) => `#mount=${k}`)] : history;
  const image = state.image;
  let id: string | undefined;
  let ran = false;
  /** The exit handled by the containers layer (see `RunResult.settled`): a removal before it would race it. */
  let settled: Promise<void> = Promise.resolve();
  const { containers, outputs } = b.deps;
  const remove = async (): Promise<void> => {
    if (!id) return;
    await settled;
    await containers.remove(id, { force: true, removeVolumes: true }).catch((err: unknown) => {
      b.chrome(`Failed to remove intermediate container ${shortId(id!)}: ${errorMessage(err)}\n`);
    });
  };
  await b.commit(state, {
    createdBy: b.opts.buildkit ? runHistory(state, cmd) : history.join(' '),
    cacheKey,
    produce: async () => {
      if (!image) throw new InvalidArgument('Please provide a source image with `from` prior to run');
      try {
        const env = [...(state.config.Env ?? []), ...buildArgEnv(state, b.opts.buildArgs, true), ...(mounts?.env ?? [])];
        const result = await runContainer(
          containers,
          outputs,
          {
            imageId: image.record.id,
            cmd,
            env,
            user: state.config.User ?? '',
            workingDir: state.config.WorkingDir ?? '',
            networkMode: mounts?.networkMode ?? b.opts.networkMode,
            extraHosts: b.opts.extraHosts,
            shmSize: b.opts.shmSize,
            mounts: mounts?.mounts ?? [],
            ephemeral: b.opts.forceRm,
          },
          b.stepLog(),
          (cid) => {
            id = cid;
            b.chrome(` ---> Running in ${shortId(cid)}\n`);
          },
          b.signal,
        );
        settled = result.settled;
        if (result.exitCode !== 0) {
          const message = b.out.events
            ? `process ${JSON.stringify(cmd.join(' '))} did not complete successfully: exit code: ${result.exitCode}`
            : `The command '${cmd.join(' ')}' returned a non-zero code: ${result.exitCode}`;
          throw new RunFailed(message, result.exitCode);
        }
      } catch (err) {
        // As dockerd's classic builder: a failed step's container stays for inspection unless --force-rm (BuildKit's
        // steps always force); --rm only removes the containers of steps that succeeded. A cancelled build leaves none.
        if (b.opts.forceRm || b.signal.aborted) await remove();
        throw err;
      }
      ran = true;
      const lowers = image.record.chainIds.map((c) => b.deps.images.deps.snapshots.fsPath(c));
      return containerLayer(containers, id!, b.opts.rm || b.opts.forceRm, mounts?.targets ?? [], lowers);
    },
    finish: async () => {
      if (!ran || !id || (!b.opts.rm && !b.opts.forceRm)) return;
      // BuildKit shows no removal: the step is done once its layer is committed, and the next one need not wait.
      if (b.out.events) return b.defer(remove());
      await remove();
      b.chrome(removingLine(id));
    },
  });
}
