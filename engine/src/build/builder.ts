/**
 * One build, for both front doors: parse the Dockerfile into stages and run them step by step (each step commits
 * an image whose parent is the previous step's, or reuses a cached one). The classic builder runs every stage up to
 * the target in order and prints dockerd's stream (`Step N/M : …`, ` ---> Using cache`, ` ---> <id>`); with step
 * events (BuildKit) the stages form a graph: only those the target needs run, each as soon as the stages it
 * depends on are done, so independent stages run at the same time.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { InvalidArgument, NotFound } from '../base/errors.js';
import { shortId } from '../base/ids.js';
import type { ContainerService } from '../containers/service.js';
import { commitImage, type UpperDirLayer } from '../images/commit.js';
import type { ContainerConfigJson, HistoryEntry } from '../images/deps.js';
import { hostPlatform, parsePlatform } from '../images/platform.js';
import { platformArgs } from './platform-args.js';
import type { ProgressMessage } from '../images/progress.js';
import type { ImageService } from '../images/service.js';
import { canonicalString, familiarName, familiarString, parseReference, withDefaultTag } from '../registry/reference.js';
import { BUILDKIT_HISTORY_COMMENT } from './buildkit-history.js';
import { BUILDKIT_KEY_MARK, BuildCache } from './cache.js';
import type { BuildContext } from './context.js';
import { dispatch } from './dispatch.js';
import { parseDockerfile, type Node } from './dockerfile/parse.js';
import { processWord, processWords } from './dockerfile/shell-lex.js';
import type { BuildOptions } from './options.js';
import { localContextImage } from './local-context-image.js';
import { cacheMountName } from './run-mounts.js';
import type { RunOutputs } from './run-step.js';
import { neededStages, runStageGraph, stageDependencies, stageIndex } from './stage-graph.js';
import { sourceChecksum } from './sources.js';
import { splitStages } from './stages.js';
import { markErrorSource } from './error-source.js';
import { checkSyntaxDirective } from './syntax-directive.js';
import { stepNames, VERTEX_INSTRUCTIONS, type StepEvents, type StepHandle } from './step-events.js';
import { DEFAULT_SHELL, expansionEnv, PROXY_ARGS, type CurrentImage, type Stage, type StageState } from './state.js';
import { mountImage, type MountedImage } from './workspace.js';

const execFileAsync = promisify(execFile);

export interface BuildDeps {
  images: ImageService;
  containers: ContainerService;
  outputs: RunOutputs;
  /** Upper dirs of build mounts (data root), their mount points (exec root), and kept cache mounts (data root). */
  dirs: { dataDir: string; execDir: string; cacheMountDir: string };
}

export interface BuildOutput {
  /** Text for the `{"stream": …}` lines. */
  stream(text: string): void;
  /** Any other message (pull progress) passed through as is. */
  message(m: Record<string, unknown>): void;
  /** When set, progress goes here as step events instead of the classic `Step N/M` text. */
  events?: StepEvents;
  /** Aborting stops the build: the running step's container is killed and no further step starts. */
  signal?: AbortSignal;
}

export interface StepCommit {
  /**
   * The history entry's `created_by` in this build's style (the classic builder's `/bin/sh -c #(nop) …`, or
   * BuildKit's `COPY app/ ./ # buildkit`); null for a config change the history does not record (BuildKit's
   * `--label`, ONBUILD).
   */
  createdBy: string | null;
  /**
   * What the cache compares, whatever the history says: content-based (file checksums, the command with its build
   * args and mounts), kept as the step image's `container_config.Cmd`.
   */
  cacheKey: string[];
  /** The history entry's comment when it is not the front door's own (BuildKit's exporter marks a local context's layer). */
  comment?: string;
  /**
   * Makes the step's layer on a cache miss (a tar, or an upper dir the commit takes over); undefined for a
   * config-only step.
   */
  produce?: () => Promise<Readable | UpperDirLayer | undefined>;
  /** After a produced layer was committed (or failed to be): release what `produce` took. */
  finish?: () => Promise<void>;
  /**
   * COPY --link: the layer does not depend on the image below, so on a miss the same step's layer from any other
   * image (another base, an earlier step changed) is reused on top of this one instead of being made again.
   */
  link?: boolean;
}

export class Builder {
  readonly cache: BuildCache;
  escape = '\\';
  private stages: Stage[] = [];
  /** Each stage's run, once started: FROM and `COPY --from` of a stage wait for it. */
  private readonly stageRuns = new Map<number, Promise<StageState>>();
  private readonly usedArgs = new Set<string>();
  private readonly mounts: MountedImage[] = [];
  private metaArgs = new Map<string, string | undefined>();
  /** Automatic platform ARGs (events mode): defined without an ARG line, never reported as unused build args. */
  private autoArgs = new Map<string, string>();
  private step = 0;
  private total = 0;
  /** The step event in progress (events mode), per concurrently running stage. */
  private readonly currentStep = new AsyncLocalStorage<StepHandle>();
  /** Aborted by the client (`out.signal`) or by the first stage to fail, which stops the others. */
  private readonly abort = new AbortController();
  /** A step committed a layer without flushing it (the build flushes once at its end). */
  private unsynced = false;
  readonly signal: AbortSignal = this.abort.signal;

  constructor(
    readonly deps: BuildDeps,
    readonly opts: BuildOptions,
    readonly ctx: BuildContext,
    readonly out: BuildOutput,
  ) {
    this.cache = new BuildCache(deps.images, opts.cacheFrom);
    const outer = out.signal;
    if (outer?.aborted) this.abort.abort(outer.reason);
    else outer?.addEventListener('abort', () => this.abort.abort(outer.reason), { once: true });
  }

  /** For a commit: leaves the flush to the end of the build, and remembers there is one to do. */
  private wroteLayers(): false {
    this.unsynced = true;
    return false;
  }

  private get current(): StepHandle | undefined {
    return this.currentStep.getStore();
  }

  async build(): Promise<string> {
    const parsed = parseDockerfile(this.ctx.dockerfile);
    this.escape = parsed.escape;
    for (const w of parsed.warnings) this.warn(w);
    if (this.out.events) {
      const note = checkSyntaxDirective(parsed.directives.syntax, this.opts.buildArgs.get('BUILDKIT_SYNTAX') ?? undefined);
      if (note) this.warn(note);
    }
    const { metaArgs, stages } = splitStages(parsed.nodes, this.opts, this.ctx.dockerfileName);
    this.stages = stages;
    this.total = metaArgs.length + stages.reduce((n, s) => n + 1 + s.commands.length, 0);
    try {
      if (this.out.events) {
        this.autoArgs = platformArgs(this.opts.platform);
        for (const [k, v] of this.autoArgs) if (!this.opts.buildArgs.has(k)) this.metaArgs.set(k, v);
      }
      for (const node of metaArgs) {
        this.printStep(node);
        this.declareMetaArgs(node);
      }
      const lastIndex = stages.length - 1;
      let last: StageState | undefined;
      if (this.out.events) {
        // BuildKit: only the stages the target needs, each as soon as its dependencies are done.
        const expand = (w: string): string => processWord(w, this.metaEnv(), this.escape);
        const runs = await runStageGraph(stageDependencies(stages, expand), neededStages(stages, expand), (i) => this.startStage(i), this.abort);
        last = runs.get(lastIndex);
      } else {
        for (const index of stages.keys()) last = await this.startStage(index);
      }
      if (last && this.opts.buildkit) await this.applyLabels(last);
      if (!last?.image) throw new InvalidArgument('No image was generated. Is your Dockerfile empty?');
      const unused = [...this.opts.buildArgs.keys()].filter((k) => !this.usedArgs.has(k) && !PROXY_ARGS.has(k) && !this.autoArgs.has(k)).sort();
      if (unused.length) this.warn(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);
      // Steps commit their layers without fsync (a syncfs per layer cost more than the step under load): one
      // syncfs now makes the finished build as durable as a pull.
      if (this.unsynced) await execFileAsync('sync', ['-f', this.deps.images.deps.snapshots.root]);
      return last.image.record.id;
    } finally {
      for (const m of this.mounts.splice(0)) await m.dispose();
    }
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

  async tag(id: string): Promise<string[]> {
    this.signal.throwIfAborted();
    const done: string[] = [];
    for (const t of this.opts.tags) {
      await this.deps.images.tag(id, familiarName(t), t.tag ?? 'latest');
      done.push(familiarString(t));
    }
    return done;
  }

  private printStep(node: Node): void {
    this.step++;
    if (!this.out.events) this.out.stream(`Step ${this.step}/${this.total} : ${node.original}\n`);
  }

  private warn(text: string): void {
    if (this.out.events) this.out.events.warning(text);
    else this.out.stream(`${text}\n`);
  }

  /**
   * Output of the running step: its log (stream 1 or 2) in events mode; the build stream otherwise, where dockerd's
   * classic builder shows each stderr write in bright red (`\x1b[91m…\x1b[0m`).
   */
  log(data: Buffer, stream: 'stdout' | 'stderr' = 'stdout'): void {
    if (this.out.events) this.current?.log(data, stream === 'stderr' ? 2 : 1);
    else this.out.stream(stream === 'stderr' ? `\x1b[91m${data.toString('utf8')}\x1b[0m` : data.toString('utf8'));
  }

  /** Classic-builder chrome (` ---> Running in …`) that events mode leaves out. */
  chrome(text: string): void {
    if (!this.out.events) this.out.stream(text);
  }

  /**
   * The running step's log as a function bound to that step, for output that arrives outside the step's own async
   * context (a container's output pump).
   */
  stepLog(): (data: Buffer, stream: 'stdout' | 'stderr') => void {
    const handle = this.current;
    if (!this.out.events) return (data, stream) => this.log(data, stream);
    return (data, stream) => handle?.log(data, stream === 'stderr' ? 2 : 1);
  }

  /** Runs `work` as one step event (events mode), ending it with its outcome. */
  private async asStep<T>(name: string | undefined, work: () => Promise<T>): Promise<T> {
    if (!this.out.events || name === undefined) return work();
    const handle = this.out.events.begin(name);
    try {
      const r = await this.currentStep.run(handle, work);
      handle.end();
      return r;
    } catch (err) {
      // A step stopped because another stage failed (or the client went away) shows as cancelled, as in BuildKit.
      handle.end(this.signal.aborted ? new Error('context canceled') : err);
      throw err;
    }
  }

  private declareMetaArgs(node: Node): void {
    for (const w of processWords(node.rest, new Map(), this.escape)) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      const given = this.opts.buildArgs.get(name);
      if (given !== undefined) this.usedArgs.add(name);
      // `ARG TARGETPLATFORM` (no value) keeps the automatic value.
      this.metaArgs.set(name, given ?? (eq < 0 ? this.metaArgs.get(name) : w.slice(eq + 1)));
    }
  }

  metaArg(name: string): string | undefined {
    return this.metaArgs.get(name);
  }

  markArgUsed(name: string): void {
    this.usedArgs.add(name);
  }

  private metaEnv(): Map<string, string> {
    const env = new Map<string, string>();
    for (const [k, v] of this.metaArgs) if (v !== undefined) env.set(k, v);
    return env;
  }

  private async runStage(index: number, stage: Stage): Promise<StageState> {
    this.printStep(stage.from);
    // BuildKit names an unnamed stage of a multi-stage Dockerfile by its index in its step names.
    const named = stage.name || this.stages.length === 1 ? stage : { ...stage, name: `stage-${index}` };
    const names = stepNames(named, this.fromText(stage.from, index));
    const state = await this.asStep(names.from, () => this.from(index, stage)).catch((err: unknown) => {
      markErrorSource(err, stage.from);
      throw err;
    });
    this.chrome(` ---> ${state.image ? shortId(state.image.record.id) : ''}\n`);
    const triggers = state.config.OnBuild ?? [];
    if (triggers.length) {
      this.chrome(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      state.config.OnBuild = [];
      for (const t of triggers) for (const node of parseDockerfile(t).nodes) await this.dispatchNode(state, node);
    }
    for (const node of stage.commands) {
      this.printStep(node);
      await this.asStep(VERTEX_INSTRUCTIONS.has(node.cmd) ? names.next(node) : undefined, () => this.dispatchNode(state, node)).catch((err: unknown) => {
        markErrorSource(err, node);
        throw err;
      });
      this.chrome(` ---> ${state.image ? shortId(state.image.record.id) : ''}\n`);
    }
    return state;
  }

  private dispatchNode(state: StageState, node: Node): Promise<void> {
    this.signal.throwIfAborted();
    return dispatch(this, state, node);
  }

  /** FROM's image as BuildKit names it: a stage by its name, an image by its canonical reference. */
  private fromText(node: Node, index: number): string {
    let ref = processWords(node.rest, this.metaEnv(), this.escape)[0] ?? '';
    const named = this.opts.namedContexts?.get(ref);
    if (named) ref = named.kind === 'image' ? named.ref : named.kind === 'stage' ? named.name : ref;
    if (named?.kind === 'dir') return ref;
    if (ref.toLowerCase() === 'scratch' || stageIndex(this.stages, index, ref) !== undefined) return ref;
    try {
      return canonicalString(withDefaultTag(parseReference(ref)));
    } catch {
      return ref;
    }
  }

  private async from(index: number, stage: Stage): Promise<StageState> {
    const node = stage.from;
    const env = this.metaEnv();
    const words = processWords(node.rest, env, this.escape);
    const platformFlag = node.flags.find((f) => f.startsWith('--platform='))?.slice('--platform='.length);
    const platformSpec = platformFlag ? processWord(platformFlag, env, this.escape) : this.opts.platform;
    const ref = words[0]!;
    const base: CurrentImage | undefined = ref.toLowerCase() === 'scratch' ? undefined : await this.baseImage(ref, platformSpec, index);
    const config: ContainerConfigJson = structuredClone(base?.config.config ?? {});
    if (!base && !config.Env) config.Env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
    return {
      index,
      name: stage.name,
      image: base,
      config,
      platform: base?.record.platform ?? (platformSpec ? parsePlatform(platformSpec) : hostPlatform()),
      args: new Map(),
      cmdSet: false,
      author: undefined,
    };
  }

  /** A stage before `before` by name or index, for `FROM <stage>` and `COPY --from`, once it has run. */
  private async stageByName(name: string, before: number): Promise<StageState | undefined> {
    const i = stageIndex(this.stages, before, name);
    return i === undefined ? undefined : this.startStage(i);
  }

  /**
   * An image for FROM or `COPY --from` in the stage at `before`: an earlier stage (once it has run), a local image,
   * or pulled (always with `--pull`).
   */
  async baseImage(ref: string, platformSpec: string, before: number): Promise<CurrentImage> {
    const named = this.opts.namedContexts?.get(ref);
    if (named?.kind === 'dir') return localContextImage(this, ref, named.dir, platformSpec ? parsePlatform(platformSpec) : hostPlatform());
    if (named) return this.baseImage(named.kind === 'image' ? named.ref : named.name, platformSpec, before);
    const stage = await this.stageByName(ref, before);
    if (stage) {
      if (!stage.image) throw new InvalidArgument(`stage ${ref} has no image`);
      return stage.image;
    }
    const images = this.deps.images;
    let id: string | undefined;
    if (!this.opts.pull) {
      try {
        id = images.get(ref).id;
      } catch (err) {
        if (!(err instanceof NotFound)) throw err;
      }
    }
    if (!id) {
      const r = withDefaultTag(parseReference(ref));
      const auth =
        this.opts.auths[r.domain] ??
        (r.domain === 'docker.io' ? this.opts.auths['https://index.docker.io/v1/'] : undefined) ??
        (await this.opts.registryAuth?.(r.domain));
      const platform = platformSpec ? parsePlatform(platformSpec) : undefined;
      const resolve = `resolve ${canonicalString(r)}`;
      this.current?.status(resolve);
      try {
        id = (await images.pull(r, { platform, auth }, (m) => this.pullProgress(m))).id;
      } catch (err) {
        // BuildKit names the image whose metadata it could not resolve; the classic builder passes the error on.
        if (!this.out.events || !(err instanceof Error)) throw err;
        err.message = `${canonicalString(r)}: failed to resolve source metadata for ${canonicalString(r)}: ${err.message}`;
        throw err;
      }
      this.current?.status(resolve, 0, 0, true);
    }
    const record = images.get(id);
    return { record, config: await images.config(id) };
  }

  private pullProgress(m: ProgressMessage): void {
    if (!this.out.events) return this.out.message({ ...m });
    const detail = m.progressDetail;
    const id = m.id ?? '';
    const status = m.status ?? '';
    if (id && /^(Downloading|Extracting|Pull complete|Download complete|Already exists)/.test(status)) {
      const done = /complete|exists/.test(status);
      this.current?.status(`${/^Extract/.test(status) ? 'extracting sha256:' : 'sha256:'}${id}`, detail?.current, detail?.total, done);
    }
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

  /** The history entry a step writes in this build's style (BuildKit's carry its comment). */
  private historyEntry(step: StepCommit): HistoryEntry | null {
    if (step.createdBy === null) return null;
    const comment = step.comment ?? (this.opts.buildkit ? BUILDKIT_HISTORY_COMMENT : undefined);
    return { created: new Date().toISOString(), created_by: step.createdBy, ...(comment ? { comment } : {}) };
  }

  async commit(state: StageState, step: StepCommit): Promise<void> {
    // BuildKit's steps are keyed apart from the classic builder's: a cached image carries its history text.
    const probe: ContainerConfigJson = { ...state.config, Cmd: this.opts.buildkit ? [...step.cacheKey, BUILDKIT_KEY_MARK] : step.cacheKey };
    const parent = state.image;
    if (!this.opts.noCache) {
      const hit = await this.cache.lookup(parent?.record, probe, step.createdBy ?? '');
      if (hit) {
        this.chrome(' ---> Using cache\n');
        this.current?.cached();
        state.image = hit.record.parent === parent?.record.id || (!parent && !hit.record.parent) ? hit : await this.restore(state, hit, step);
        return;
      }
      const linked = step.link ? await this.cache.linkedLayer(probe.Cmd!) : undefined;
      if (linked) {
        const record = await commitImage(this.deps.images.deps, {
          parent: parent ? { record: parent.record, config: parent.config } : undefined,
          config: structuredClone(state.config),
          containerConfig: probe,
          history: this.historyEntry(step),
          layer: linked,
          platform: state.platform,
        sync: this.wroteLayers(),
        }).catch(() => undefined);
        if (record) {
          this.current?.cached();
          this.cache.add(record);
          state.image = { record, config: await this.deps.images.config(record.id) };
          return;
        }
      }
    }
    let record;
    try {
      const layer = step.produce ? await step.produce() : undefined;
      record = await commitImage(this.deps.images.deps, {
        parent: parent ? { record: parent.record, config: parent.config } : undefined,
        config: structuredClone(state.config),
        containerConfig: probe,
        history: this.historyEntry(step),
        ...(state.author ? { author: state.author } : {}),
        ...(layer ? { layer } : {}),
        platform: state.platform,
        sync: this.wroteLayers(),
      });
    } finally {
      await step.finish?.();
    }
    this.cache.add(record);
    state.image = { record, config: await this.deps.images.config(record.id) };
  }

  /** A `--cache-from` hit: this step's layer and history entry from that image, on top of our parent. */
  private async restore(state: StageState, hit: CurrentImage, step: StepCommit): Promise<CurrentImage> {
    const parent = state.image;
    const n = parent?.config.history?.length ?? 0;
    const entry = hit.config.history?.[n] ?? { created_by: step.createdBy ?? '' };
    const layerIndex = parent?.record.diffIds.length ?? 0;
    const record = await commitImage(this.deps.images.deps, {
      parent,
      config: structuredClone(state.config),
      containerConfig: { ...state.config, Cmd: step.cacheKey },
      history: { ...entry },
      ...(entry.empty_layer ? {} : { layer: { desc: hit.record.layers[layerIndex]!, diffId: hit.record.diffIds[layerIndex]! } }),
      platform: state.platform,
      sync: this.wroteLayers(),
    });
    this.cache.add(record);
    return { record, config: await this.deps.images.config(record.id) };
  }
}
