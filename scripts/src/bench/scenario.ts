/**
 * A benchmark scenario: set up against one engine, run N timed iterations, tear down. Each scenario lives in its own
 * file under `scenarios/` and is listed once in `scenarios/index.ts`.
 */

export type BenchUnit = 'ms' | 'req/s' | 'MB/s' | 'MiB' | '%';

/** One engine under test, reached through its Docker API socket. */
export interface BenchTarget {
  kind: 'berth' | 'dockerd';
  /** What to print, e.g. `berthd (rig)` or `dockerd 20.10 (unix:///var/run/docker.sock)`. */
  label: string;
  socket: string;
  dockerHost: string;
  /** The engine's own processes (daemon, helpers, per-container shims), for RSS; absent when not known (`--peer`). */
  processes?(): Promise<number[]>;
  /** Why containers cannot use the default bridge or publish ports on this engine; absent when they can. */
  noBridge?: string;
}

/**
 * One iteration's sample with named parts (e.g. each stage of a VM start); every part is reported as its own row,
 * the median of that part over the iterations.
 */
export interface SampleWithParts {
  value: number;
  parts: Record<string, number>;
}

/** Every iteration's sample, and per named part its samples (empty when the scenario reports no parts). */
export interface Measured {
  samples: number[];
  parts: Record<string, number[]>;
}

export interface ScenarioSpec<Ctx> {
  name: string;
  description: string;
  /** What one sample measures. `ms` samples default to the iteration's wall time. */
  unit: BenchUnit;
  better: 'lower' | 'higher';
  defaultIterations: number;
  /** Iterations run first and thrown away (caches, connection set-up, JIT). */
  warmup?: number;
  /**
   * Disk-bound: every timed iteration starts on a settled machine (all engines quiet, dirty pages written back,
   * `settle.ts`) and, with a peer, the engines take turns iteration by iteration, the one going first alternating,
   * so neither pays for the other's writeback and both see the same load.
   */
  settled?: boolean;
  /** Why this scenario cannot run on `target` (it is then reported without that engine), or undefined. */
  unsupported?(target: BenchTarget): string | undefined;
  setup?(target: BenchTarget): Promise<Ctx>;
  /** One iteration. Return the sample, or nothing to have the harness use the elapsed milliseconds. */
  run(ctx: Ctx, target: BenchTarget): Promise<number | void | SampleWithParts>;
  teardown?(ctx: Ctx, target: BenchTarget): Promise<void>;
  /** Lines printed under the table after the iterations (error counts, leaks), before teardown. */
  notes?(ctx: Ctx, target: BenchTarget): Promise<string[]>;
  /** What no engine can beat here (e.g. raw download and `tar -xzf` times), measured once per run, as notes. */
  floor?(): Promise<string[]>;
}

/** A scenario set up (and warmed up) on one engine, taking its timed iterations one at a time. */
export interface ScenarioSession {
  /** One timed iteration; its sample is kept for `finish`. */
  iterate(): Promise<void>;
  /** The samples so far, the scenario's notes added to `notes`, then its teardown. */
  finish(notes?: string[]): Promise<Measured>;
  /** Teardown only (after a failure elsewhere). */
  abandon(): Promise<void>;
}

/** A scenario with its context type erased, which is all the harness needs. */
export interface BenchScenario {
  name: string;
  description: string;
  unit: BenchUnit;
  better: 'lower' | 'higher';
  defaultIterations: number;
  /** See `ScenarioSpec.settled`. */
  settled: boolean;
  unsupported(target: BenchTarget): string | undefined;
  /** Set up and warm up on `target`; `beforeEach` runs (untimed) before every timed iteration. */
  start(target: BenchTarget, beforeEach?: () => Promise<void>): Promise<ScenarioSession>;
  measure(target: BenchTarget, iterations: number, notes?: string[], beforeEach?: () => Promise<void>): Promise<Measured>;
  floor?(): Promise<string[]>;
}

export function defineScenario<Ctx = undefined>(spec: ScenarioSpec<Ctx>): BenchScenario {
  const scenario: BenchScenario = {
    name: spec.name,
    description: spec.description,
    unit: spec.unit,
    better: spec.better,
    defaultIterations: spec.defaultIterations,
    settled: spec.settled ?? false,
    unsupported: (target) => spec.unsupported?.(target),
    ...(spec.floor ? { floor: spec.floor } : {}),
    async start(target, beforeEach) {
      const ctx = (spec.setup ? await spec.setup(target) : undefined) as Ctx;
      const samples: number[] = [];
      const parts: Record<string, number[]> = {};
      let tornDown = false;
      const teardown = async (): Promise<void> => {
        if (tornDown) return;
        tornDown = true;
        await spec.teardown?.(ctx, target);
      };
      try {
        for (let i = 0; i < (spec.warmup ?? 1); i++) await spec.run(ctx, target);
      } catch (err) {
        await teardown();
        throw err;
      }
      return {
        async iterate() {
          await beforeEach?.();
          const start = process.hrtime.bigint();
          const value = await spec.run(ctx, target);
          const elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
          if (typeof value === 'object') {
            samples.push(value.value);
            for (const [name, v] of Object.entries(value.parts)) (parts[name] ??= []).push(v);
          } else {
            samples.push(typeof value === 'number' ? value : elapsedMs);
          }
        },
        async finish(notes) {
          try {
            if (spec.notes) notes?.push(...(await spec.notes(ctx, target)).map((line) => `${target.kind}: ${line}`));
            return { samples, parts };
          } finally {
            await teardown();
          }
        },
        abandon: teardown,
      };
    },
    async measure(target, iterations, notes, beforeEach) {
      const session = await scenario.start(target, beforeEach);
      try {
        for (let i = 0; i < iterations; i++) await session.iterate();
      } catch (err) {
        await session.abandon();
        throw err;
      }
      return session.finish(notes);
    },
  };
  return scenario;
}
