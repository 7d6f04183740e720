/**
 * The built-in `dockerfile.v0` frontend: reads the Dockerfile and `.dockerignore` from the client's session, then
 * the context (the client filters it with the ignore patterns), and runs the Dockerfile executor with progress as
 * BuildKit vertexes. Resolves to the built image's ID.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, InvalidArgument } from '../base/errors.js';
import type { BuildContext } from '../build/context.js';
import { ContextDigests } from '../build/context-digests.js';
import { IgnoreMatcher, readIgnoreFile } from '../build/dockerignore.js';
import { errorSourceLines } from '../build/error-source.js';
import type { BuildOutput } from '../build/build-progress.js';
import type { BuildOptions, NamedContext } from '../build/options.js';
import type { BuildService } from '../build/service.js';
import { sourceDetails } from './error-source.js';
import { buildOptionsFromAttrs } from './frontend-opts.js';
import { receiveDir } from './filesync.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';
import { sessionCredentials } from './registry-auth.js';
import { getSecret } from './secrets.js';
import { agentSocket } from './ssh.js';
import { isSessionUpload, pullUpload } from './upload.js';
import type { BuildProgress } from './progress.js';
import type { ClientSession } from './session-client.js';

export interface FrontendRun {
  session: ClientSession;
  attrs: Record<string, string>;
  progress: BuildProgress;
  signal: AbortSignal;
}

async function transfer(
  run: FrontendRun,
  vertexName: string,
  statusName: string,
  dir: string,
  req: Parameters<typeof receiveDir>[2],
  digests?: ContextDigests,
): Promise<void> {
  const v = run.progress.begin(vertexName);
  try {
    const bytes = await receiveDir(
      run.session,
      dir,
      {
        ...req,
        signal: run.signal,
        onBytes: v.byteCounter(statusName),
      },
      digests,
    );
    v.status(statusName, bytes, 0, true);
    v.end();
  } catch (err) {
    v.end(err);
    throw err;
  }
}

/**
 * Runs the frontend; a failure of the build itself (a step, the Dockerfile) comes back as an UNKNOWN status whose
 * message is the bare error, which is how the CLI prints `ERROR: failed to solve: <message>` for dockerd.
 */
export async function runDockerfileFrontend(builds: BuildService, run: FrontendRun): Promise<string> {
  try {
    return await dockerfileFrontend(builds, run);
  } catch (err) {
    if (err instanceof GrpcError) throw err;
    if (run.signal.aborted) throw new GrpcError(GRPC_STATUS.CANCELLED, 'context canceled');
    throw new GrpcError(GRPC_STATUS.UNKNOWN, errorMessage(err));
  }
}

async function dockerfileFrontend(builds: BuildService, run: FrontendRun): Promise<string> {
  const opts: BuildOptions = {
    ...buildOptionsFromAttrs(run.attrs),
    secrets: (id) => getSecret(run.session, id),
    registryAuth: (domain) => sessionCredentials(run.session, domain),
    sshAgent: (id, dir, o) => agentSocket(run.session, id, dir, o),
  };
  const remote = run.attrs[run.attrs.contextkey || 'context'];
  if (remote) return remoteContextBuild(builds, run, opts, remote);
  const name = path.posix.basename(opts.dockerfile);
  const scratch = await builds.contextScratch();
  const defDir = path.join(scratch, 'dockerfile');
  const ctxDir = path.join(scratch, 'context');
  const ignoreDir = path.join(scratch, 'ignore');
  const cleanup = (): Promise<void> => builds.discardScratch(scratch);
  try {
    for (const d of [defDir, ctxDir, ignoreDir]) await mkdir(d);
    const follow = [name, `${name}.dockerignore`, ...(name === 'Dockerfile' ? ['dockerfile'] : [])];
    await transfer(run, `[internal] load build definition from ${name}`, 'transferring dockerfile:', defDir, { dirName: 'dockerfile', followPaths: follow });
    const dockerfile = await readFile(path.join(defDir, name), 'utf8').catch(() =>
      name === 'Dockerfile' ? readFile(path.join(defDir, 'dockerfile'), 'utf8') : Promise.reject(new Error()),
    ).catch(() => {
      throw new InvalidArgument(`failed to read dockerfile: open ${name}: no such file or directory`);
    });
    let ignoreText = await readFile(path.join(defDir, `${name}.dockerignore`), 'utf8').catch(() => undefined);
    if (ignoreText === undefined) {
      await transfer(run, '[internal] load .dockerignore', 'transferring context:', ignoreDir, { dirName: 'context', followPaths: ['.dockerignore'] });
      ignoreText = await readFile(path.join(ignoreDir, '.dockerignore'), 'utf8').catch(() => '');
    }
    const patterns = readIgnoreFile(ignoreText);
    const digests = new ContextDigests();
    await transfer(run, '[internal] load build context', 'transferring context:', ctxDir, { dirName: 'context', excludePatterns: patterns }, digests);
    opts.namedContexts = await namedContexts(run, scratch);
    const ctx: BuildContext = { dir: ctxDir, dockerfileName: name, dockerfile, ignore: new IgnoreMatcher(patterns), received: { digests }, cleanup };
    return await runBuild(builds, ctx, opts, run);
  } finally {
    await cleanup();
  }
}

/**
 * `--build-context NAME=…` as buildx sends it (`context:NAME` attrs): a local dir (served by the session under
 * its own dir name, transferred here), an image, or another stage of this Dockerfile.
 */
async function namedContexts(run: FrontendRun, scratch: string): Promise<Map<string, NamedContext>> {
  const out = new Map<string, NamedContext>();
  let n = 0;
  for (const [key, value] of Object.entries(run.attrs)) {
    if (!key.startsWith('context:')) continue;
    const name = key.slice('context:'.length);
    if (value.startsWith('local:')) {
      // As the main context: its own .dockerignore first, whose patterns the client applies to the transfer.
      const dirName = value.slice('local:'.length);
      const ignoreDir = path.join(scratch, `named-${n}-ignore`);
      const dir = path.join(scratch, `named-${n++}`);
      for (const d of [ignoreDir, dir]) await mkdir(d);
      await transfer(run, `[context ${name}] load .dockerignore`, `transferring ${dirName}:`, ignoreDir, { dirName, followPaths: ['.dockerignore'] });
      const patterns = readIgnoreFile(await readFile(path.join(ignoreDir, '.dockerignore'), 'utf8').catch(() => ''));
      await transfer(run, `[context ${name}] load from client`, `transferring ${dirName}:`, dir, { dirName, excludePatterns: patterns });
      out.set(name, { kind: 'dir', dir });
    } else if (value.startsWith('docker-image://')) {
      out.set(name, { kind: 'image', ref: value.slice('docker-image://'.length) });
    } else if (value.startsWith('target:')) {
      out.set(name, { kind: 'stage', name: value.slice('target:'.length) });
    } else {
      throw new InvalidArgument(`build context ${name}=${value} is not supported by this engine (a directory, docker-image:// or target: is)`);
    }
  }
  return out;
}

function eventsOutput(run: FrontendRun): BuildOutput {
  return { stream: () => undefined, message: () => undefined, events: run.progress, signal: run.signal };
}

/** A context that is not a session dir: a tarball from stdin (Upload) or an http(s) URL, Dockerfile inside it. */
async function remoteContextBuild(builds: BuildService, run: FrontendRun, opts: BuildOptions, remote: string): Promise<string> {
  const upload = isSessionUpload(remote);
  const v = run.progress.begin('[internal] load remote build context');
  let ctx: BuildContext;
  try {
    ctx = await builds.receive(upload ? pullUpload(run.session, remote) : undefined, { ...opts, remote: upload ? '' : remote });
    v.end();
  } catch (err) {
    v.end(err);
    throw err;
  }
  try {
    return await runBuild(builds, ctx, opts, run);
  } finally {
    await ctx.cleanup();
  }
}

/** Runs the executor; a step's failure names the Dockerfile lines it came from, as BuildKit's errors do. */
async function runBuild(builds: BuildService, ctx: BuildContext, opts: BuildOptions, run: FrontendRun): Promise<string> {
  try {
    return await builds.run(ctx, opts, eventsOutput(run));
  } catch (err) {
    const lines = errorSourceLines(err);
    if (!lines || run.signal.aborted || err instanceof GrpcError) throw err;
    throw new GrpcError(GRPC_STATUS.UNKNOWN, errorMessage(err), sourceDetails(ctx.dockerfileName, ctx.dockerfile, lines));
  }
}
