import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './dockerfile/parse.js';
import type { BuildOptions } from './options.js';
import { splitStages } from './stages.js';

const opts = (o: Partial<BuildOptions> = {}): BuildOptions =>
  ({ labels: {}, target: '', buildArgs: new Map(), ...o }) as BuildOptions;
const split = (text: string, o: Partial<BuildOptions> = {}) => splitStages(parseDockerfile(text).nodes, opts(o), 'Dockerfile');

describe('stages', () => {
  it('splits global ARGs and stages, cuts at --target and appends --label as a LABEL step', () => {
    const r = split('ARG V=1\nFROM a AS one\nRUN x\nFROM one AS two\nRUN y\nFROM two\n', { target: 'TWO', labels: { b: '2', a: '1' } });
    expect(r.metaArgs.map((n) => n.original)).toEqual(['ARG V=1']);
    expect(r.stages.map((s) => s.name)).toEqual(['one', 'two']);
    expect(r.stages[1]!.commands.map((n) => n.original)).toEqual(['RUN y', 'LABEL "a"="1" "b"="2"']);
  });

  it('refuses what dockerd refuses before the first step, with the line', () => {
    expect(() => split('FROM a\nFOO b\n')).toThrow('dockerfile parse error on line 2: unknown instruction: FOO');
    expect(() => split('RUN x\nFROM a\n')).toThrow('dockerfile parse error on line 1: no build stage in current context');
    expect(() => split('FROM a b\n')).toThrow('FROM requires either one or three arguments');
    expect(() => split('FROM a AS 1x\n')).toThrow(`invalid name for build stage: "1x"`);
    expect(() => split('FROM a\nCOPY --bogus=1 x y\n')).toThrow('dockerfile parse error on line 2: Unknown flag: bogus');
    expect(() => split('FROM a\nRUN --mount=type=cache,target=/x true\n')).toThrow('the --mount option requires BuildKit');
    expect(() => split('FROM a\nCOPY onlyone\n')).toThrow('COPY requires at least two arguments');
    expect(() => split('FROM a\nCOPY --link x y\n')).toThrow('dockerfile parse error on line 2: the --link option requires BuildKit');
    expect(() => split('FROM a\nADD --keep-git-dir=true x y\n')).toThrow('the --keep-git-dir option requires BuildKit');
    expect(() => split('FROM a\nCOPY --parents=maybe x y\n')).toThrow('expecting boolean value for flag parents, not: maybe');
    expect(split('FROM a\nCOPY --link=false --parents=true x y\n').stages[0]!.commands).toHaveLength(1);
    expect(() => split('FROM a\nSHELL /bin/bash -c\n')).toThrow('SHELL requires the arguments to be in JSON form');
    expect(() => split('FROM a\n', { target: 'nope' })).toThrow('failed to reach build target nope in Dockerfile');
    expect(() => split('# just a comment\n')).toThrow('the Dockerfile (Dockerfile) cannot be empty');
  });
});
