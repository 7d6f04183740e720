/**
 * Measuring one scenario on the engines: one engine after the other, or (settled scenarios) taking turns
 * iteration by iteration. Each engine's result is its samples, or null with the reason in `notes`.
 */
import { settle } from './settle.js';
import type { BenchScenario, BenchTarget, Measured, ScenarioSession } from './scenario.js';
import { summarize, type Summary } from './stats.js';

export type EngineResult = { summary: Summary; parts: Record<string, number[]> } | null;

/** `settle` over every started engine, its give-up note added once. */
export function settledBy(targets: BenchTarget[], notes: string[]): () => Promise<void> {
  return async () => {
    const note = await settle(targets);
    if (note && !notes.includes(note)) notes.push(note);
  };
}

function failed(s: BenchScenario, target: BenchTarget, err: unknown, notes: string[], log: (msg: string) => void): null {
  const msg = err instanceof Error ? err.message : String(err);
  log(`${s.name} on ${target.label} failed: ${msg}`);
  notes.push(`${target.kind} failed: ${msg.split('\n')[0]}`);
  return null;
}

function result(m: Measured): EngineResult {
  return { summary: summarize(m.samples), parts: m.parts };
}

/** One engine's samples, or null with the reason in `notes` when the scenario does not apply there or failed. */
export async function measureOn(
  s: BenchScenario,
  target: BenchTarget,
  n: number,
  notes: string[],
  log: (msg: string) => void,
  beforeEach?: () => Promise<void>,
): Promise<EngineResult> {
  const skip = s.unsupported(target);
  if (skip) {
    notes.push(`${target.kind} not measured: ${skip}`);
    return null;
  }
  try {
    return result(await s.measure(target, n, notes, beforeEach));
  } catch (err) {
    return failed(s, target, err, notes, log);
  }
}

/**
 * Both engines set up, then iteration i on each, the engine going first alternating (Berth first on even i), so
 * both are measured beside the same load; an engine that fails drops out with the reason in `notes`.
 */
export async function measureAlternating(
  s: BenchScenario,
  targets: [BenchTarget, BenchTarget],
  n: number,
  notes: string[],
  log: (msg: string) => void,
  beforeEach?: () => Promise<void>,
): Promise<[EngineResult, EngineResult]> {
  const sessions: (ScenarioSession | null)[] = [];
  for (const target of targets) {
    const skip = s.unsupported(target);
    if (skip) notes.push(`${target.kind} not measured: ${skip}`);
    sessions.push(skip ? null : await s.start(target, beforeEach).catch((err: unknown) => failed(s, target, err, notes, log)));
  }
  for (let i = 0; i < n; i++) {
    for (const k of i % 2 ? [1, 0] : [0, 1]) {
      const session = sessions[k];
      if (!session) continue;
      try {
        await session.iterate();
      } catch (err) {
        sessions[k] = failed(s, targets[k]!, err, notes, log);
        await session.abandon().catch(() => undefined);
      }
    }
  }
  const out: EngineResult[] = [];
  for (const [k, session] of sessions.entries()) {
    out.push(session ? await session.finish(notes).then(result, (err: unknown) => failed(s, targets[k]!, err, notes, log)) : null);
  }
  return [out[0]!, out[1]!];
}

