/**
 * RUN: a real container from the current image through the containers layer (so `--network`, volumes declared by
 * VOLUME, the runtime and its isolation are the ones `docker run` gets), its output streamed into the build as it
 * comes, and its writable layer turned into the step's layer once it has exited.
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { shortId } from '../base/ids.js';
import { bundleDir } from '../containers/context.js';
import { rootfsPaths } from '../containers/rootfs.js';
import type { ContainerService } from '../containers/service.js';
import type { UpperDirLayer } from '../images/commit.js';
import { upperDirTar } from '../images/diff-tar.js';
import type { ContainerProcess } from '../runtime/index.js';
import type { ContainerMount } from './run-mounts.js';


/** Mount points the runtime creates for the engine's own bind mounts: never part of a layer. */
const RUNTIME_PLACEHOLDERS = new Set(['etc/hosts', 'etc/hostname', 'etc/resolv.conf']);

export interface RunRequest {
  imageId: string;
  cmd: string[];
  env: string[];
  user: string;
  workingDir: string;
  networkMode: string;
  extraHosts: string[];
  shmSize: number;
  /** RUN --mount mounts. */
  mounts?: ContainerMount[];
  /**
   * The container is removed whatever the outcome (BuildKit's steps, `--force-rm`): nobody can read its log, so
   * it has none (its output reaches the build through the attach), and its record is saved without fsync.
   */
  ephemeral?: boolean;
}

export interface RunResult {
  containerId: string;
  exitCode: number;
  /** Resolves once the containers layer has handled the exit (runtime and network released, state saved). */
  settled: Promise<void>;
}

/** Routes each build container's output to its build; one hook on the containers layer serves every build. */
export class RunOutputs {
  private readonly pending = new Map<string, (proc: ContainerProcess) => Promise<void>>();

  constructor(containers: ContainerService) {
    containers.ctx.beforeStart.push(async (record, proc) => {
      const connect = this.pending.get(record.Id);
      if (!connect) return;
      this.pending.delete(record.Id);
      await connect(proc);
    });
  }

  expect(id: string, connect: (proc: ContainerProcess) => Promise<void>): () => void {
    this.pending.set(id, connect);
    return () => this.pending.delete(id);
  }
}

export async function runContainer(
  containers: ContainerService,
  outputs: RunOutputs,
  req: RunRequest,
  write: (data: Buffer, stream: 'stdout' | 'stderr') => void,
  announce: (id: string) => void,
  signal?: AbortSignal,
): Promise<RunResult> {
  signal?.throwIfAborted();
  const { Id: id } = await containers.create(
    {
      Image: req.imageId,
      Cmd: req.cmd,
      Entrypoint: [''],
      Env: req.env,
      User: req.user,
      WorkingDir: req.workingDir,
      Healthcheck: { Test: ['NONE'] },
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        NetworkMode: req.networkMode || 'default',
        ...(req.extraHosts.length ? { ExtraHosts: req.extraHosts } : {}),
        ...(req.shmSize ? { ShmSize: req.shmSize } : {}),
        ...(req.mounts?.length ? { Mounts: req.mounts } : {}),
        ...(req.ephemeral ? { LogConfig: { Type: 'none', Config: {} } } : {}),
      },
    },
    undefined,
    // It lives for seconds and a build interrupted by a crash is run again: its record needs no fsync on each save
    // (create, start, exit), which on a busy disk waited on every other writer's data.
    req.ephemeral ? { durable: false } : {},
  );
  announce(id);
  let pumping: Promise<void> = Promise.resolve();
  let exitFrame: Promise<number | undefined> | undefined;
  const cancelOutput = outputs.expect(id, async (proc) => {
    const attachment = await proc.attach();
    exitFrame = attachment.exit;
    pumping = (async () => {
      for await (const chunk of attachment.output as AsyncIterable<{ data: Buffer; stream: 'stdout' | 'stderr' }>) {
        write(chunk.data, chunk.stream);
      }
    })().catch(() => undefined);
  });
  const waiter = containers.wait(id, 'next-exit');
  const kill = (): void => void containers.kill(id, 'SIGKILL').catch(() => undefined);
  try {
    await containers.start(id);
  } catch (err) {
    waiter.cancel();
    cancelOutput();
    throw Object.assign(err as Error, { containerId: id });
  }
  signal?.addEventListener('abort', kill);
  if (signal?.aborted) kill();
  let exitCode: number;
  try {
    // An ephemeral container's exit code is taken from the monitor's exit frame (sent once the root filesystem is
    // unmounted), so its layer is committed while the containers layer still releases its runtime state and network;
    // its removal waits for `settled`.
    exitCode = await (req.ephemeral && exitFrame ? exitFrame.then((code) => code ?? waiter.promise) : waiter.promise);
    await pumping;
  } finally {
    signal?.removeEventListener('abort', kill);
  }
  const settled = waiter.promise.then(() => undefined, () => undefined);
  if (signal?.aborted) {
    // The caller removes the container at once: not before its exit is handled.
    await settled;
    signal.throwIfAborted();
  }
  return { containerId: id, exitCode, settled };
}

/**
 * The exited container's writable layer, for the step's commit (call before removing the container). A container
 * about to be removed hands its upper dir over, to become the layer's snapshot as it is; one that stays (`--rm=false`)
 * keeps it and gives a tar of it instead.
 */
export async function containerLayer(containers: ContainerService, id: string, removed: boolean, mountPoints: string[] = [], lowers: string[] = []): Promise<Readable | UpperDirLayer> {
  const dir = containers.ctx.store.dir(id);
  const upper = path.resolve(rootfsPaths(dir, bundleDir(containers.ctx, id)).upper);
  const exclude = mountPoints.length ? new Set([...RUNTIME_PLACEHOLDERS, ...(await mountStubs(upper, mountPoints, lowers))]) : RUNTIME_PLACEHOLDERS;
  return removed ? { upperDir: upper, exclude } : upperDirTar(upper, exclude);
}

/**
 * The mount points the runtime made in the upper dir for RUN --mount targets, and the parent directories it made
 * for them (empty and absent from the image's layers): BuildKit leaves these stubs out of the layer too.
 */
async function mountStubs(upper: string, targets: string[], lowers: string[]): Promise<string[]> {
  const out = new Set<string>();
  const inImage = async (rel: string): Promise<boolean> => {
    for (const l of lowers) if (await lstat(path.join(l, rel)).then(() => true, () => false)) return true;
    return false;
  };
  for (const t of targets) {
    const rel = t.replace(/^\/+/, '');
    if (!rel) continue;
    out.add(rel);
    for (let parent = path.posix.dirname(rel); parent !== '.' && parent !== '/'; parent = path.posix.dirname(parent)) {
      const entries = await readdir(path.join(upper, parent)).catch(() => undefined);
      if (!entries || entries.some((e) => !out.has(path.posix.join(parent, e))) || (await inImage(parent))) break;
      out.add(parent);
    }
  }
  return [...out];
}

export function removingLine(id: string): string {
  return `Removing intermediate container ${shortId(id)}\n`;
}
