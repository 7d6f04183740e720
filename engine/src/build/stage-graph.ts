/**
 * The stages of a Dockerfile as a dependency graph: a stage depends on the earlier stages it names in FROM,
 * `COPY --from` and `RUN --mount=…,from=`. BuildKit runs only the stages the target needs, and each as soon as
 * the stages it depends on are done, so independent stages run side by side.
 */
import type { Stage } from './state.js';

/** A stage reference (`FROM x`, `COPY --from=x`, `RUN --mount=from=x`) as the index of an earlier stage. */
export function stageIndex(stages: readonly Stage[], before: number, ref: string): number | undefined {
  const lower = ref.toLowerCase();
  const byName = stages.findIndex((s, i) => i < before && s.name === lower);
  if (byName >= 0) return byName;
  if (/^\d+$/.test(ref) && Number(ref) < before) return Number(ref);
  return undefined;
}

/** The references of one stage to other stages or images, as written (FROM's expanded by `expand`). */
function references(stage: Stage, expand: (word: string) => string): string[] {
  const refs: string[] = [expand(stage.from.rest.split(/\s+/)[0] ?? '')];
  for (const node of stage.commands) {
    for (const f of node.flags) {
      if (f.startsWith('--from=')) refs.push(f.slice('--from='.length));
      const m = /^--mount=(?:.*,)?from=([^,]+)/.exec(f);
      if (m) refs.push(m[1]!);
    }
  }
  return refs;
}

/**
 * For each stage, the earlier stages it depends on directly. `expand` resolves global ARGs in FROM; any other
 * reference through an ARG (`COPY --from=$X`) cannot be resolved before the stage runs, so it depends on every
 * earlier stage.
 */
export function stageDependencies(stages: readonly Stage[], expand: (word: string) => string = (w) => w): number[][] {
  return stages.map((stage, i) => {
    const refs = references(stage, expand);
    if (refs.some((r) => r.includes('$'))) return stages.map((_, j) => j).filter((j) => j < i);
    const deps = new Set<number>();
    for (const r of refs) {
      const d = stageIndex(stages, i, r);
      if (d !== undefined) deps.add(d);
    }
    return [...deps].sort((a, b) => a - b);
  });
}

/** The stages the last one needs, directly or through others, itself included. */
export function neededStages(stages: readonly Stage[], expand: (word: string) => string = (w) => w): Set<number> {
  const deps = stageDependencies(stages, expand);
  const needed = new Set<number>();
  const visit = (i: number): void => {
    if (needed.has(i)) return;
    needed.add(i);
    for (const d of deps[i] ?? []) visit(d);
  };
  visit(stages.length - 1);
  return needed;
}

/**
 * Runs `run(i)` for every needed stage, each once all the stages it depends on have finished, as many at once as
 * the graph allows. The first failure aborts `abort` (so running stages stop) and, once every started stage has
 * settled, is what this rejects with.
 */
export async function runStageGraph<T>(
  deps: readonly number[][],
  needed: ReadonlySet<number>,
  run: (index: number) => Promise<T>,
  abort: AbortController,
): Promise<Map<number, T>> {
  const started = new Map<number, Promise<T>>();
  const start = (i: number): Promise<T> => {
    let p = started.get(i);
    if (!p) {
      const before = (deps[i] ?? []).filter((d) => needed.has(d)).map(start);
      p = Promise.all(before).then(() => {
        abort.signal.throwIfAborted();
        return run(i);
      });
      started.set(i, p);
    }
    return p;
  };
  for (const i of [...needed].sort((a, b) => a - b)) start(i);
  const results = await Promise.allSettled(
    [...started.entries()].map(([i, p]) =>
      p.then(
        (v) => [i, v] as const,
        (err: unknown) => {
          abort.abort(err);
          throw err;
        },
      ),
    ),
  );
  // Every failure aborts, and the first abort's reason is the cause: the first stage to fail (or the client's
  // cancellation); stages that failed after it were stopped by it.
  if (abort.signal.aborted) throw abort.signal.reason;
  return new Map(results.map((r) => (r as PromiseFulfilledResult<readonly [number, T]>).value));
}
