/**
 * One classic build: parse the Dockerfile into stages, run every stage up to the target step by step (each step
 * commits an image whose parent is the previous step's, or reuses a cached one), and print dockerd's stream:
 * `Step N/M : …`, ` ---> Using cache`, ` ---> <id>`, then `Successfully built` / `Successfully tagged`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { InvalidArgument, NotFound } from '../base/errors.js';
import { shortId } from '../base/ids.js';
import type { ContainerService } from '../containers/service.js';
import { commitImage, type UpperDirLayer } from '../images/commit.js';
import type { ContainerConfigJson } from '../images/deps.js';
import { hostPlatform, parsePlatform } from '../images/platform.js';
import type { ProgressMessage } from '../images/progress.js';
import type { ImageService } from '../images/service.js';
import { canonicalString, familiarName, familiarString, parseReference, withDefaultTag } from '../registry/reference.js';
import { BuildCache } from './cache.js';
import type { BuildContext } from './context.js';
import { dispatch } from './dispatch.js';
import { parseDockerfile, type Node } from './dockerfile/parse.js';
import { processWord, processWords } from './dockerfile/shell-lex.js';
import type { BuildOptions } from './options.js';
import { cacheMountName } from './run-mounts.js';
import type { RunOutputs } from './run-step.js';
import { neededStages, splitStages } from './stages.js';
import { stepNames, VERTEX_INSTRUCTIONS, type StepEvents, type StepHandle } from './step-events.js';
import { DEFAULT_SHELL, expansionEnv, PROXY_ARGS, type CurrentImage, type Stage, type StageState } from './state.js';
import { mountImage, type MountedImage } from './workspace.js';

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
  /** The history entry's `created_by`. */
  createdBy: string;
  /** The Cmd of the cache probe (`container_config.Cmd`). */
  probeCmd: string[];
  /**
   * Makes the step's layer on a cache miss (a tar, or an upper dir the commit takes over); undefined for a
   * config-only step.
   */
  produce?: () => Promise<Readable | UpperDirLayer | undefined>;
  /** After a produced layer was committed (or failed to be): release what `produce` took. */
  finish?: () => Promise<void>;
}

export class Builder {
  readonly cache: BuildCache;
  escape = '\\';
  private readonly stageResults: StageState[] = [];
  private readonly usedArgs = new Set<string>();
  private readonly mounts: MountedImage[] = [];
  private metaArgs = new Map<string, string | undefined>();
  private step = 0;
  private total = 0;
  /** The step event in progress (events mode). */
  private current: StepHandle | undefined;

  constructor(
    readonly deps: BuildDeps,
    readonly opts: BuildOptions,
    readonly ctx: BuildContext,
    readonly out: BuildOutput,
  ) {
    this.cache = new BuildCache(deps.images, opts.cacheFrom);
  }

  async build(): Promise<string> {
    const parsed = parseDockerfile(this.ctx.dockerfile);
    this.escape = parsed.escape;
    for (const w of parsed.warnings) this.warn(w);
    const { metaArgs, stages } = splitStages(parsed.nodes, this.opts, this.ctx.dockerfileName);
    this.total = metaArgs.length + stages.reduce((n, s) => n + 1 + s.commands.length, 0);
    try {
      for (const node of metaArgs) {
        this.printStep(node);
        this.declareMetaArgs(node);
      }
      let last: StageState | undefined;
      // With events (BuildKit) only the stages the target needs run; the classic builder runs them all.
      const needed = this.out.events ? neededStages(stages, (w) => processWord(w, this.metaEnv(), this.escape)) : undefined;
      for (const [index, stage] of stages.entries()) if (!needed || needed.has(index)) last = await this.runStage(index, stage);
      if (!last?.image) throw new InvalidArgument('No image was generated. Is your Dockerfile empty?');
      const unused = [...this.opts.buildArgs.keys()].filter((k) => !this.usedArgs.has(k) && !PROXY_ARGS.has(k)).sort();
      if (unused.length) this.warn(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);
      return last.image.record.id;
    } finally {
      for (const m of this.mounts.splice(0)) await m.dispose();
    }
  }

  async tag(id: string): Promise<string[]> {
    this.out.signal?.throwIfAborted();
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

  /** Runs `work` as one step event (events mode), ending it with its outcome. */
  private async asStep<T>(name: string | undefined, work: () => Promise<T>): Promise<T> {
    if (!this.out.events || name === undefined) return work();
    const handle = this.out.events.begin(name);
    this.current = handle;
    try {
      const r = await work();
      handle.end();
      return r;
    } catch (err) {
      handle.end(err);
      throw err;
    } finally {
      if (this.current === handle) this.current = undefined;
    }
  }

  private declareMetaArgs(node: Node): void {
    for (const w of processWords(node.rest, new Map(), this.escape)) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      const given = this.opts.buildArgs.get(name);
      if (given !== undefined) this.usedArgs.add(name);
      this.metaArgs.set(name, given ?? (eq < 0 ? undefined : w.slice(eq + 1)));
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
    const names = stepNames(stage, this.fromText(stage.from));
    const state = await this.asStep(names.from, () => this.from(index, stage));
    this.chrome(` ---> ${state.image ? shortId(state.image.record.id) : ''}\n`);
    const triggers = state.config.OnBuild ?? [];
    if (triggers.length) {
      this.chrome(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
      state.config.OnBuild = [];
      for (const t of triggers) for (const node of parseDockerfile(t).nodes) await this.dispatchNode(state, node);
    }
    for (const node of stage.commands) {
      this.printStep(node);
      await this.asStep(VERTEX_INSTRUCTIONS.has(node.cmd) ? names.next(node) : undefined, () => this.dispatchNode(state, node));
      this.chrome(` ---> ${state.image ? shortId(state.image.record.id) : ''}\n`);
    }
    this.stageResults[index] = state;
    return state;
  }

  private dispatchNode(state: StageState, node: Node): Promise<void> {
    this.out.signal?.throwIfAborted();
    return dispatch(this, state, node);
  }

  /** FROM's image as BuildKit names it: a stage by its name, an image by its canonical reference. */
  private fromText(node: Node): string {
    let ref = processWords(node.rest, this.metaEnv(), this.escape)[0] ?? '';
    const named = this.opts.namedContexts?.get(ref);
    if (named) ref = named.kind === 'image' ? named.ref : named.kind === 'stage' ? named.name : ref;
    if (ref.toLowerCase() === 'scratch' || this.stageByName(ref)) return ref;
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
    const base: CurrentImage | undefined = ref.toLowerCase() === 'scratch' ? undefined : await this.baseImage(ref, platformSpec);
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

  /** A stage by name or index, for `FROM <stage>` and `COPY --from`. */
  stageByName(name: string): StageState | undefined {
    const lower = name.toLowerCase();
    const byName = this.stageResults.find((s) => s?.name === lower);
    if (byName) return byName;
    if (/^\d+$/.test(name)) return this.stageResults[Number(name)];
    return undefined;
  }

  /** An image for FROM or `COPY --from`: an earlier stage, a local image, or pulled (always with `--pull`). */
  async baseImage(ref: string, platformSpec: string): Promise<CurrentImage> {
    const named = this.opts.namedContexts?.get(ref);
    if (named?.kind === 'dir') throw new InvalidArgument(`FROM the local build context ${ref} is not supported by this engine (COPY --from=${ref} is)`);
    if (named) return this.baseImage(named.kind === 'image' ? named.ref : named.name, platformSpec);
    const stage = this.stageByName(ref);
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
      const auth = this.opts.auths[r.domain] ?? (r.domain === 'docker.io' ? this.opts.auths['https://index.docker.io/v1/'] : undefined);
      const platform = platformSpec ? parsePlatform(platformSpec) : undefined;
      const resolve = `resolve ${canonicalString(r)}`;
      this.current?.status(resolve);
      id = (await images.pull(r, { platform, auth }, (m) => this.pullProgress(m))).id;
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
  async bindSource(from: string | undefined, source: string): Promise<{ dir: string; key: string }> {
    const rel = path.posix.normalize(`/${source}`);
    const dir = from === undefined ? this.ctx.dir : this.namedDir(from);
    if (dir !== undefined) return { dir: path.join(dir, rel), key: `context:${rel}:${randomUUID()}` };
    const image = await this.baseImage(from!, this.opts.platform || '');
    const m = await this.mount(image);
    return { dir: path.join(m.root, rel), key: `${image.record.id}:${rel}` };
  }

  /** A step that only changes the config: `#(nop) <comment>` in the history, no layer. */
  commitConfig(state: StageState, comment: string): Promise<void> {
    const probeCmd = [...this.shell(state), `#(nop) ${comment}`];
    return this.commit(state, { createdBy: probeCmd.join(' '), probeCmd });
  }

  async commit(state: StageState, step: StepCommit): Promise<void> {
    const probe: ContainerConfigJson = { ...state.config, Cmd: step.probeCmd };
    const parent = state.image;
    if (!this.opts.noCache) {
      const hit = await this.cache.lookup(parent?.record, probe, step.createdBy);
      if (hit) {
        this.chrome(' ---> Using cache\n');
        this.current?.cached();
        state.image = hit.record.parent === parent?.record.id || (!parent && !hit.record.parent) ? hit : await this.restore(state, hit, step);
        return;
      }
    }
    let record;
    try {
      const layer = step.produce ? await step.produce() : undefined;
      record = await commitImage(this.deps.images.deps, {
        parent: parent ? { record: parent.record, config: parent.config } : undefined,
        config: structuredClone(state.config),
        containerConfig: probe,
        history: { created: new Date().toISOString(), created_by: step.createdBy },
        ...(state.author ? { author: state.author } : {}),
        ...(layer ? { layer } : {}),
        platform: state.platform,
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
    const entry = hit.config.history?.[n] ?? { created_by: step.createdBy };
    const layerIndex = parent?.record.diffIds.length ?? 0;
    const record = await commitImage(this.deps.images.deps, {
      parent,
      config: structuredClone(state.config),
      containerConfig: { ...state.config, Cmd: step.probeCmd },
      history: { ...entry },
      ...(entry.empty_layer ? {} : { layer: { desc: hit.record.layers[layerIndex]!, diffId: hit.record.diffIds[layerIndex]! } }),
      platform: state.platform,
    });
    this.cache.add(record);
    return { record, config: await this.deps.images.config(record.id) };
  }
}
