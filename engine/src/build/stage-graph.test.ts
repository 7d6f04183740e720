import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './dockerfile/parse.js';
import type { BuildOptions } from './options.js';
import { neededStages, runStageGraph, stageDependencies } from './stage-graph.js';
import { splitStages } from './stages.js';

const stagesOf = (text: string) =>
  splitStages(parseDockerfile(text).nodes, { labels: {}, target: '', buildArgs: new Map(), buildkit: true } as unknown as BuildOptions, 'Dockerfile').stages;

describe('stage graph', () => {
  it('follows FROM, COPY --from and RUN --mount from= to the stages the last one needs, and no further', () => {
    const stages = stagesOf([
      'FROM busybox AS unused', 'RUN echo never',
      'FROM busybox AS base', 'RUN echo base',
      'FROM base AS tools', 'RUN echo tools',
      'FROM busybox AS assets', 'RUN echo assets',
      'FROM busybox AS cachesrc',
      'FROM busybox AS final', 'COPY --from=tools /x /x', 'COPY --from=3 /a /a', 'RUN --mount=type=bind,from=cachesrc,target=/c true',
    ].join('\n'));
    expect(stageDependencies(stages)).toEqual([[], [], [1], [], [], [2, 3, 4]]);
    expect([...neededStages(stages)].sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('resolves global ARGs in FROM, and a COPY --from through an ARG depends on every earlier stage', () => {
    const stages = stagesOf('FROM busybox AS a\nFROM busybox AS b\nFROM $BASE AS c\nFROM busybox\nCOPY --from=$WHICH /x /x\n');
    expect(stageDependencies(stages, (w) => w.replace('$BASE', 'b'))).toEqual([[], [], [1], [0, 1, 2]]);
    expect([...neededStages(stages, (w) => w.replace('$BASE', 'b'))].sort()).toEqual([0, 1, 2, 3]);
    // A later stage's name is an image, not a dependency.
    expect(stageDependencies(stagesOf('FROM later AS first\nFROM busybox AS later\n'))).toEqual([[], []]);
  });

  it('runs independent stages at the same time and a stage only after its dependencies', async () => {
    const deps = [[], [], [0, 1], []];
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const run = async (i: number): Promise<string> => {
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${i}`);
      await new Promise((r) => setTimeout(r, 20));
      log.push(`end ${i}`);
      running--;
      return `stage ${i}`;
    };
    const out = await runStageGraph(deps, new Set([0, 1, 2]), run, new AbortController());
    expect(out.get(2)).toBe('stage 2');
    expect(out.has(3)).toBe(false);
    expect(peak).toBe(2);
    expect(log.indexOf('start 2')).toBeGreaterThan(Math.max(log.indexOf('end 0'), log.indexOf('end 1')));
  });

  it('a failing stage aborts the others and is the error the run rejects with', async () => {
    const abort = new AbortController();
    const started: number[] = [];
    const run = async (i: number): Promise<number> => {
      started.push(i);
      if (i === 0) throw new Error('stage 0 failed');
      // Stage 1 runs until it is aborted, as a RUN container is killed.
      await new Promise((_, reject) => abort.signal.addEventListener('abort', () => reject(new Error('killed'))));
      return i;
    };
    await expect(runStageGraph([[], [], [0, 1]], new Set([0, 1, 2]), run, abort)).rejects.toThrow('stage 0 failed');
    expect(abort.signal.aborted).toBe(true);
    expect(started.sort()).toEqual([0, 1]);
  });
});
