/**
 * One build, for both front doors: parse the Dockerfile into stages and run them step by step (each step commits
 * an image whose parent is the previous step's, or reuses a cached one). The classic builder runs every stage up to
 * the target in order and prints dockerd's stream (`Step N/M : …`, ` ---> Using cache`, ` ---> <id>`); with step
 * events (BuildKit) the stages form a graph: only those the target needs run, each as soon as the stages it
 * depends on are done, so independent stages run at the same time.
 */
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgument } from '../base/errors.js';
import { shortId } from '../base/ids.js';
import type { ContainerService } from '../containers/service.js';
import type { ImageService } from '../images/service.js';
import { familiarName, familiarString } from '../registry/reference.js';
import { baseImage, fromStage, fromText } from './base-image.js';
import { BuildArgs } from './build-args.js';
import { BuildProgress, type BuildOutput } from './build-progress.js';
import { BuildCache } from './cache.js';
import type { BuildContext } from './context.js';
import { dispatch } from './dispatch.js';
import { parseDockerfile, type Node } from './dockerfile/parse.js';
import { processWord } from './dockerfile/shell-lex.js';
import { markErrorSource } from './error-source.js';
import type { BuildOptions } from './options.js';
import { platformArgs } from './platform-args.js';
import { cacheMountName } from './run-mounts.js';
import type { RunOutputs } from './run-step.js';
import { sourceChecksum } from './sources.js';
import { neededStages, runStageGraph, stageDependencies, stageIndex } from './stage-graph.js';
import { commitStep, type StepCommit, type StepCommitter } from './step-commit.js';
import { splitStages } from './stages.js';
import { stepNames, VERTEX_INSTRUCTIONS } from './step-events.js';
import { checkSyntaxDirective } from './syntax-directive.js';
import { DEFAULT_SHELL, expansionEnv, type CurrentImage, type Stage, type StageState } from './state.js';
import { mountImage, type MountedImage } from './workspace.js';

export interface BuildDeps {
  images: ImageService;
  containers: ContainerService;
  outputs: RunOutputs;
  /** Upper dirs of build mounts (data root), their mount points (exec root), and kept cache mounts (data root). */
  dirs: { dataDir: string; execDir: string; cacheMountDir: string };
}

export class Builder {
  readonly cache: BuildCache;
  readonly progress: BuildProgress;
  readonly args: BuildArgs;
  escape = '\\';
  stages: Stage[] = [];
  /** Each stage's run, once started: FROM and `COPY --from` of a stage wait for it. */
  private readonly stageRuns = new Map<number, Promise<StageState>>();
  private readonly mounts: MountedImage[] = [];
  /** Clean-up that need not hold up the next step (a finished step's container removal); awaited at the end. */
  private readonly deferred: Array<Promise<void>> = [];
  /** Aborted by the client (`out.signal`) or by the first stage to fail, which stops the others. */
  private readonly abort = new AbortController();
  /** A step committed a layer without flushing it (the build flushes once at its end). */
  private unsynced = false;
  readonly signal: AbortSignal = this.abort.signal;
  private readonly committer: StepCommitter;

  constructor(
    readonly deps: BuildDeps,
    readonly opts: BuildOptions,
    readonly ctx: BuildContext,
    readonly out: BuildOutput,
  ) {
    this.cache = new BuildCache(deps.images, opts.cacheFrom);
    this.progress = new BuildProgress(out, this.signal);
    this.args = new BuildArgs(opts.buildArgs);
    const outer = out.signal;
    if (outer?.aborted) this.abort.abort(outer.reason);
    else outer?.addEventListener('abort', () => this.abort.abort(outer.reason), { once: true });
    this.committer = {
      images: deps.images.deps,
      cache: this.cache,
      progress: this.progress,
      buildkit: opts.buildkit === true,
      noCache: opts.noCache,
      wroteLayers: () => {
        this.unsynced = true;
        return false;
      },
      config: (id) => deps.images.config(id),
    };
  }

  async build(): Promise<string> {
    const parsed = parseDockerfile(this.ctx.dockerfile);
    this.escape = parsed.escape;
    for (const w of parsed.warnings) this.progress.warn(w);
    if (this.out.events) {
      const note = checkSyntaxDirective(parsed.directives.syntax, this.opts.buildArgs.get('BUILDKIT_SYNTAX') ?? undefined);
      if (note) this.progress.warn(note);
    }
    const { metaArgs, stages } = splitStages(parsed.nodes, this.opts, this.ctx.dockerfileName);
    this.stages = stages;
    this.progress.total = metaArgs.length + stages.reduce((n, s) => n + 1 + s.commands.length, 0);
    try {
      if (this.out.events) this.args.automatic(platformArgs(this.opts.platform));
      for (const node of metaArgs) {
        this.progress.printStep(node);
        this.args.declare(node, this.escape);
      }
      const lastIndex = stages.length - 1;
      let last: StageState | undefined;
      if (this.out.events) {
        // BuildKit: only the stages the target needs, each as soon as its dependencies are done.
        const expand = (w: string): string => processWord(w, this.args.env(), this.escape);
        const runs = await runStageGraph(stageDependencies(stages, expand), neededStages(stages, expand), (i) => this.startStage(i), this.abort);
        last = runs.get(lastIndex);
      } else {
        for (const index of stages.keys()) last = await this.startStage(index);
      }
      if (last && this.opts.buildkit) await this.applyLabels(last);
      if (!last?.image) throw new InvalidArgument('No image was generated. Is your Dockerfile empty?');
      const unused = this.args.unused();
      if (unused.length) this.progress.warn(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);
      // Steps commit their layers without fsync (a syncfs per layer cost more than the step under load): one
      // flush now makes the finished build as durable as a pull, shared with pulls and other builds flushing now.
      if (this.unsynced) await this.deps.images.deps.snapshots.flush();
      return last.image.record.id;
    } finally {
      await Promise.all(this.deferred.splice(0));
      for (const m of this.mounts.splice(0)) await m.dispose();
    }
  }

  /** Runs `work` beside the steps that follow; the build answers (or fails) only once it is done. */
  defer(work: Promise<void>): void {
    this.deferred.push(work.catch(() => undefined));
  }

  /** BuildKit's `--label`s: set on the target's config at the end, with no history entry (the classic builder adds a LABEL step). */
  private async applyLabels(state: StageState): Promise<void> {
    const labels = Object.entries(this.opts.labels).sort(([a], [b]) => (a < b ? -1 : 1));
    if (!labels.length) return;
    state.config.Labels = { ...(state.config.Labels ?? {}), ...Object.fromEntries(labels) };
    await this.commit(state, { createdBy: null, cacheKey: [...this.shell(state), `#(nop) LABEL ${labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`] });
  }

  private startStage(index: number): Promise<StageState> {
    let run = this.stageRuns.get(index);
    if (!run) {
      run = this.runStage(index, this.stages[index]!);
      this.stageRuns.set(index, run);
    }
    return run;
  }

  /** A stage before `before` by name or index, for `FROM <stage>` and `COPY --from`, once it has run. */
  async stageByName(name: string, before: number): Promise<StageState | undefined> {
    const i = stageIndex(this.stages, before, name);
    return i === undefined ? undefined : this.startStage(i);
  }

  async tag(id: string): Promise<string[]> {
    this.signal.throwIfAborted();
    const done: string[] = [];
    for (const t of this.opts.tags) {
      await this.deps.images.tag(id, familiarName(t), t.tag ?? 'latest');
      done.push(familiarString(t));
    }
    return done;
  }

  /** Output of the running step (see `BuildProgress.log`). */
  log(data: Buffer, stream: 'stdout' | 'stderr' = 'stdout'): void {
    this.progress.log(data, stream);
  }

  /** Classic-builder chrome (` ---> Running in …`) that events mode leaves out. */
  chrome(text: string): void {
    this.progress.chrome(text);
  }

  /** The running step's log, bound to that step (see `BuildProgress.stepLog`). */
  stepLog(): (data: Buffer, stream: 'stdout' | 'stderr') => void {
    return this.progress.stepLog();
  }

  metaArg(name: string): string | undefined {
    return this.args.get(name);
  }

  markArgUsed(name: string): void {
    this.args.markUsed(name);
  }

  private async runStage(index: number, stage: Stage): Promise<StageState> {
    const progress = this.progress;
    progress.printStep(stage.from);
    // BuildKit names an unnamed stage of a multi-stage Dockerfile by its index in its step names.
    const named = stage.name || this.stages.length === 1 ? stage : { ...stage, name: `stage-${index}` };
    const names = stepNames(named, fromText(this, stage.from, index));
    const state = await progress.asStep(names.from, () => fromStage(this, index, stage)).catch((err: unknown) => {
      markErrorSource(err, stage.from);
      throw err;
    });
    progress.chrome(` ---> ${state.image ? shortId(state.image.record.id) : ''}\n`);
    const triggers = state.config.OnBuild ?? [];
    if (triggers.length) {
      progress.chrome(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      state.config.OnBuild = [];
      for (const t of triggers) for (const node of parseDockerfile(t).nodes) await this.dispatchNode(state, node);
    }
    for (const node of stage.commands) {
      progress.printStep(node);
      await progress.asStep(VERTEX_INSTRUCTIONS.has(node.cmd) ? names.next(node) : undefined, () => this.dispatchNode(state, node)).catch((err: unknown) => {
        markErrorSource(err, node);
        throw err;
      });
      progress.chrome(` ---> ${state.image ? shortId(state.image.record.id) : ''}\n`);
    }
    return state;
  }

  private dispatchNode(state: StageState, node: Node): Promise<void> {
    this.signal.throwIfAborted();
    return dispatch(this, state, node);
  }

  /** An image for FROM, `COPY --from` or a bind mount's `from` (see `base-image.ts`). */
  baseImage(ref: string, platformSpec: string, before: number): Promise<CurrentImage> {
    return baseImage(this, ref, platformSpec, before);
  }

  expansionEnv(state: StageState): Map<string, string> {
    return expansionEnv(state, this.opts.buildArgs);
  }

  shell(state: StageState): string[] {
    return state.config.Shell?.length ? state.config.Shell : DEFAULT_SHELL;
  }

  async mount(image: CurrentImage | undefined): Promise<MountedImage> {
    const layers = image ? image.record.chainIds.map((c) => this.deps.images.deps.snapshots.fsPath(c)) : [];
    const m = await mountImage(this.deps.dirs, layers);
    this.mounts.push(m);
    return m;
  }

  async release(m: MountedImage): Promise<void> {
    const i = this.mounts.indexOf(m);
    if (i >= 0) this.mounts.splice(i, 1);
    await m.dispose();
  }

  /** A `--build-context NAME=<dir>` directory, for COPY --from=NAME and RUN --mount from=NAME. */
  namedDir(name: string): string | undefined {
    const named = this.opts.namedContexts?.get(name);
    return named?.kind === 'dir' ? named.dir : undefined;
  }

  /** The directory of a `RUN --mount=type=cache` id, kept between builds. */
  async cacheMountDir(id: string): Promise<string> {
    return path.join(this.deps.dirs.cacheMountDir, cacheMountName(id));
  }

  async secret(id: string): Promise<Buffer | undefined> {
    return this.opts.secrets?.(id);
  }

  /** A read-only bind source for `RUN --mount=type=bind`: the context, or a stage's or image's filesystem. */
  async bindSource(state: StageState, from: string | undefined, source: string): Promise<{ dir: string; key: string }> {
    const rel = path.posix.normalize(`/${source}`);
    const dir = from === undefined ? this.ctx.dir : this.namedDir(from);
    if (dir !== undefined) {
      // Keyed on what the mounted files hold, as a COPY of them would be: a touched but unchanged file keeps the cache.
      const abs = path.join(dir, rel);
      const st = await lstat(abs).catch(() => undefined);
      const sum = st ? await sourceChecksum({ dir, scoped: false }, { rel: rel.slice(1), abs, dir: st.isDirectory() }) : 'missing';
      return { dir: abs, key: `context:${rel}:${sum}` };
    }
    const image = await this.baseImage(from!, this.opts.platform || '', state.index);
    const m = await this.mount(image);
    return { dir: path.join(m.root, rel), key: `${image.record.id}:${rel}` };
  }

  /**
   * A step that only changes the config, no layer: keyed on `#(nop) <comment>`, which is also the classic history
   * text; BuildKit's history says `buildkit` (the comment itself by default, null for no entry).
   */
  commitConfig(state: StageState, comment: string, buildkit: string | null = comment): Promise<void> {
    const cacheKey = [...this.shell(state), `#(nop) ${comment}`];
    return this.commit(state, { createdBy: this.opts.buildkit ? buildkit : cacheKey.join(' '), cacheKey });
  }

  /** Commits a step onto the stage's image, or takes it from the cache (see `step-commit.ts`). */
  commit(state: StageState, step: StepCommit): Promise<void> {
    return commitStep(this.committer, state, step);
  }
}
