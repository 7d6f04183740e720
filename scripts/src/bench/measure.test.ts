import { describe, expect, it } from 'vitest';
import { measureAlternating, settledBy } from './measure.js';
import { defineScenario, type BenchTarget } from './scenario.js';

const target = (kind: BenchTarget['kind']): BenchTarget => ({ kind, label: kind, socket: '', dockerHost: '' });

describe('settled scenarios', () => {
  it('take turns on the two engines, the one going first alternating, each timed iteration after the settle step', async () => {
    const events: string[] = [];
    const s = defineScenario<{ kind: string }>({
      name: 'turns',
      description: '',
      unit: 'ms',
      better: 'lower',
      defaultIterations: 3,
      settled: true,
      async setup(t) {
        events.push(`setup ${t.kind}`);
        return { kind: t.kind };
      },
      async run(ctx) {
        events.push(`run ${ctx.kind}`);
        return { value: ctx.kind === 'berth' ? 1 : 2, parts: { half: ctx.kind === 'berth' ? 0.5 : 1 } };
      },
      async teardown(ctx) {
        events.push(`teardown ${ctx.kind}`);
      },
    });
    const notes: string[] = [];
    const [b, d] = await measureAlternating(s, [target('berth'), target('dockerd')], 3, notes, () => undefined, async () => void events.push('settle'));
    expect(events).toEqual([
      'setup berth',
      'run berth', // warm-up
      'setup dockerd',
      'run dockerd',
      'settle',
      'run berth',
      'settle',
      'run dockerd',
      'settle',
      'run dockerd',
      'settle',
      'run berth',
      'settle',
      'run berth',
      'settle',
      'run dockerd',
      'teardown berth',
      'teardown dockerd',
    ]);
    expect(b?.summary.samples).toEqual([1, 1, 1]);
    expect(d?.summary.samples).toEqual([2, 2, 2]);
    expect(b?.parts).toEqual({ half: [0.5, 0.5, 0.5] });
    expect(notes).toEqual([]);
  });

  it('drops an engine that fails, with the reason, and still measures the other and tears both down', async () => {
    const torn: string[] = [];
    let runs = 0;
    const s = defineScenario<{ kind: string }>({
      name: 'fails',
      description: '',
      unit: 'ms',
      better: 'lower',
      defaultIterations: 2,
      settled: true,
      setup: async (t) => ({ kind: t.kind }),
      async run(ctx) {
        if (ctx.kind === 'dockerd' && runs++ > 0) throw new Error('peer broke\nmore');
        return 5;
      },
      teardown: async (ctx) => void torn.push(ctx.kind),
    });
    const notes: string[] = [];
    const [b, d] = await measureAlternating(s, [target('berth'), target('dockerd')], 2, notes, () => undefined);
    expect(b?.summary.samples).toEqual([5, 5]);
    expect(d).toBeNull();
    expect(notes).toEqual(['dockerd failed: peer broke']);
    expect(torn.sort()).toEqual(['berth', 'dockerd']);
  });

  it('settles by waiting for the engines to be quiet and running sync', async () => {
    const notes: string[] = [];
    // This test process as the engine: idle while it waits, so the settle ends within its window.
    const self: BenchTarget = { ...target('berth'), processes: async () => [process.pid] };
    await settledBy([self], notes)();
    expect(notes).toEqual([]);
  });
});
