/**
 * What a stage starts from (FROM) and what `COPY --from`/`RUN --mount from=` read: an earlier stage once it has
 * run, a `--build-context` (a dir, an image, a stage), a local image, or a pull (always with `--pull`), with the
 * pull's progress in the front door's style and the name BuildKit shows for it.
 */
import { InvalidArgument, NotFound } from '../base/errors.js';
import type { ContainerConfigJson } from '../images/deps.js';
import { hostPlatform, parsePlatform } from '../images/platform.js';
import type { ProgressMessage } from '../images/progress.js';
import { canonicalString, parseReference, withDefaultTag } from '../registry/reference.js';
import type { Builder } from './builder.js';
import type { Node } from './dockerfile/parse.js';
import { processWord, processWords } from './dockerfile/shell-lex.js';
import { localContextImage } from './local-context-image.js';
import { stageIndex } from './stage-graph.js';
import type { CurrentImage, Stage, StageState } from './state.js';

/** FROM's image as BuildKit names it: a stage by its name, an image by its canonical reference. */
export function fromText(b: Builder, node: Node, index: number): string {
  let ref = processWords(node.rest, b.args.env(), b.escape)[0] ?? '';
  const named = b.opts.namedContexts?.get(ref);
  if (named) ref = named.kind === 'image' ? named.ref : named.kind === 'stage' ? named.name : ref;
  if (named?.kind === 'dir') return ref;
  if (ref.toLowerCase() === 'scratch' || stageIndex(b.stages, index, ref) !== undefined) return ref;
  try {
    return canonicalString(withDefaultTag(parseReference(ref)));
  } catch {
    return ref;
  }
}

/** A stage's state after its FROM line. */
export async function fromStage(b: Builder, index: number, stage: Stage): Promise<StageState> {
  const node = stage.from;
  const env = b.args.env();
  const words = processWords(node.rest, env, b.escape);
  const platformFlag = node.flags.find((f) => f.startsWith('--platform='))?.slice('--platform='.length);
  const platformSpec = platformFlag ? processWord(platformFlag, env, b.escape) : b.opts.platform;
  const ref = words[0]!;
  const base: CurrentImage | undefined = ref.toLowerCase() === 'scratch' ? undefined : await baseImage(b, ref, platformSpec, index);
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

/**
 * An image for FROM or `COPY --from` in the stage at `before`: an earlier stage (once it has run), a local image,
 * or pulled (always with `--pull`).
 */
export async function baseImage(b: Builder, ref: string, platformSpec: string, before: number): Promise<CurrentImage> {
  const named = b.opts.namedContexts?.get(ref);
  if (named?.kind === 'dir') return localContextImage(b, ref, named.dir, platformSpec ? parsePlatform(platformSpec) : hostPlatform());
  if (named) return baseImage(b, named.kind === 'image' ? named.ref : named.name, platformSpec, before);
  const stage = await b.stageByName(ref, before);
  if (stage) {
    if (!stage.image) throw new InvalidArgument(`stage ${ref} has no image`);
    return stage.image;
  }
  const images = b.deps.images;
  let id: string | undefined;
  if (!b.opts.pull) {
    try {
      id = images.get(ref).id;
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
    }
  }
  if (!id) {
    const r = withDefaultTag(parseReference(ref));
    const auth =
      b.opts.auths[r.domain] ??
      (r.domain === 'docker.io' ? b.opts.auths['https://index.docker.io/v1/'] : undefined) ??
      (await b.opts.registryAuth?.(r.domain));
    const platform = platformSpec ? parsePlatform(platformSpec) : undefined;
    const resolve = `resolve ${canonicalString(r)}`;
    const progress = b.progress;
    progress.current?.status(resolve);
    try {
      id = (await images.pull(r, { platform, auth }, (m) => pullProgress(b, m))).id;
    } catch (err) {
      // BuildKit names the image whose metadata it could not resolve; the classic builder passes the error on.
      if (!progress.events || !(err instanceof Error)) throw err;
      err.message = `${canonicalString(r)}: failed to resolve source metadata for ${canonicalString(r)}: ${err.message}`;
      throw err;
    }
    progress.current?.status(resolve, 0, 0, true);
  }
  const record = images.get(id);
  return { record, config: await images.config(id) };
}

/** Pull progress: passed through in the classic stream; per layer under the step with events. */
function pullProgress(b: Builder, m: ProgressMessage): void {
  const progress = b.progress;
  if (!progress.events) return progress.message({ ...m });
  const detail = m.progressDetail;
  const id = m.id ?? '';
  const status = m.status ?? '';
  if (id && /^(Downloading|Extracting|Pull complete|Download complete|Already exists)/.test(status)) {
    const done = /complete|exists/.test(status);
    progress.current?.status(`${/^Extract/.test(status) ? 'extracting sha256:' : 'sha256:'}${id}`, detail?.current, detail?.total, done);
  }
}
