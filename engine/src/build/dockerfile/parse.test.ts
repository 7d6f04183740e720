import { describe, expect, it } from 'vitest';
import { parseDockerfile } from './parse.js';

describe('Dockerfile parser', () => {
  it('reads directives, comments, continuations and flags', () => {
    const d = parseDockerfile(
      '# syntax=docker/dockerfile:1\n# escape=`\n\nFROM --platform=linux/amd64 busybox AS base\n# note\nRUN echo a `\n  # inner comment\n  && echo b\nCOPY --chown=1:2 --from=base a b\n',
    );
    expect(d.directives).toEqual({ syntax: 'docker/dockerfile:1', escape: '`' });
    expect(d.nodes.map((n) => n.cmd)).toEqual(['from', 'run', 'copy']);
    expect(d.nodes[0]!.flags).toEqual(['--platform=linux/amd64']);
    expect(d.nodes[1]!.rest).toBe('echo a   && echo b');
    expect(d.nodes[1]!.startLine).toBe(6);
    expect(d.nodes[2]!.startLine).toBe(9);
    expect(d.nodes[2]!.flags).toEqual(['--chown=1:2', '--from=base']);
  });

  it('recognises the exec form', () => {
    const d = parseDockerfile('CMD ["sh", "-c", "echo"]\nCMD [not json\n');
    expect(d.nodes[0]!.json).toEqual(['sh', '-c', 'echo']);
    expect(d.nodes[1]!.json).toBeUndefined();
  });

  it('reads heredocs', () => {
    const d = parseDockerfile('RUN <<EOF\necho hi\necho $X\nEOF\nCOPY <<-"END" /f\n\tliteral $X\n\tEND\nENV A=b\n');
    expect(d.nodes.map((n) => n.cmd)).toEqual(['run', 'copy', 'env']);
    expect(d.nodes[0]!.heredocs).toEqual([{ name: 'EOF', content: 'echo hi\necho $X\n', expand: true }]);
    expect(d.nodes[1]!.heredocs).toEqual([{ name: 'END', content: 'literal $X\n', expand: false }]);
    expect(d.nodes[2]!.startLine).toBe(8);
  });

  it('directives stop at the first other line', () => {
    const d = parseDockerfile('FROM x\n# escape=`\nRUN a \\\n b\n');
    expect(d.escape).toBe('\\');
    expect(d.nodes[1]!.rest).toBe('a  b');
  });
});
