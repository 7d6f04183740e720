import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './dockerfile/parse.js';
import { stepNames } from './step-events.js';
import type { Stage } from './state.js';

function stage(text: string, name?: string): Stage {
  const [from, ...commands] = parseDockerfile(text).nodes;
  return { name, from: from!, commands };
}

describe('BuildKit step names', () => {
  it('counts FROM and the vertex instructions only, and names the stage', () => {
    const s = stage('FROM alpine\nENV A=1\nWORKDIR /w\nRUN echo hi\nCOPY a b\nCMD ["x"]\n', 'build');
    const n = stepNames(s, 'docker.io/library/alpine:latest');
    expect(n.from).toBe('[build 1/4] FROM docker.io/library/alpine:latest');
    expect(s.commands.filter((c) => c.cmd !== 'env' && c.cmd !== 'cmd').map((c) => n.next(c))).toEqual([
      '[build 2/4] WORKDIR /w',
      '[build 3/4] RUN echo hi',
      '[build 4/4] COPY a b',
    ]);
  });

  it('pads the index to the width of the total and joins continuation lines', () => {
    const runs = Array.from({ length: 10 }, (_, i) => `RUN echo ${i}`).join('\n');
    const s = stage(`FROM scratch\n${runs}\nRUN echo a \\\n  b\n`);
    const n = stepNames(s, 'scratch');
    expect(n.from).toBe('[ 1/12] FROM scratch');
    const names = s.commands.map((c) => n.next(c));
    expect(names[0]).toBe('[ 2/12] RUN echo 0');
    expect(names[10]).toMatch(/^\[12\/12\] RUN echo a +b$/);
  });
});
