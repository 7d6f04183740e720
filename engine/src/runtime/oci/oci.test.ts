import { describe, expect, it } from 'vitest';
import { detectCgroupLayout } from './cgroups.js';
import { ociRuntimeError, runtimeMessage } from './errors.js';
import { parseSignal, signalName } from './signals.js';

describe('signals', () => {
  it('accepts docker kill spellings', () => {
    expect(parseSignal('KILL')).toBe(9);
    expect(parseSignal('sigterm')).toBe(15);
    expect(parseSignal('9')).toBe(9);
    expect(parseSignal(10)).toBe(10);
    expect(parseSignal('RTMIN+3')).toBe(37);
    expect(signalName(15)).toBe('SIGTERM');
    expect(() => parseSignal('NOPE')).toThrow('Invalid signal: NOPE');
    expect(() => parseSignal('99')).toThrow('Invalid signal: 99');
  });
});

describe('runtime errors', () => {
  it('takes the last error from a JSON log, or plain text', () => {
    const log = '{"level":"warning","msg":"w"}\n{"level":"error","msg":"runc create failed: unable to start container process: exec: \\"x\\": executable file not found in $PATH"}\n';
    expect(runtimeMessage(log)).toBe('runc create failed: unable to start container process: exec: "x": executable file not found in $PATH');
    expect(runtimeMessage('crun: container `x` does not exist\n')).toBe('container `x` does not exist');
  });
  it('maps to dockerd text and error kinds', () => {
    const e = ociRuntimeError('create', '{"level":"error","msg":"boom"}');
    expect(e.message).toBe('OCI runtime create failed: boom: unknown');
    expect(e.kind).toBe('System');
    expect(ociRuntimeError('state', 'container does not exist').kind).toBe('NotFound');
    expect(ociRuntimeError('pause', 'container not running').kind).toBe('Conflict');
  });
  it("puts crun's words for a missing executable or container in runc's, which the docker CLI reads", () => {
    const crun = (msg: string) => `{"msg":${JSON.stringify(msg)},"level":"error","time":"2026-12-07T03:09:34.882187Z"}\n`;
    expect(ociRuntimeError('create', crun('executable file `/no/such/binary` not found in $PATH: No such file or directory')).message)
      .toBe('OCI runtime create failed: exec: "/no/such/binary": stat /no/such/binary: no such file or directory: unknown');
    expect(runtimeMessage(crun('executable file `nosuch` not found in $PATH: No such file or directory'))).toBe('exec: "nosuch": executable file not found in $PATH');
    expect(runtimeMessage(crun('open executable: Operation not permitted'))).toBe('open executable: permission denied');
    for (const [verb, msg] of [
      ['state', 'error opening file `/run/berth/runtime/crun/abc/status`: No such file or directory'],
      ['kill', 'error opening file `/run/berth/runtime/crun/abc/status`: No such file or directory'],
      ['delete', "cannot open directory '/run/berth/runtime/crun/abc': No such file or directory"],
    ] as const) {
      const e = ociRuntimeError(verb, crun(msg));
      expect(e.kind).toBe('NotFound');
      expect(e.message).toBe(`OCI runtime ${verb} failed: container does not exist: unknown`);
    }
    // Other messages stay crun's own.
    expect(runtimeMessage(crun('mount `proc` to `/proc`: Operation not permitted'))).toBe('mount `proc` to `/proc`: Operation not permitted');
  });
});

describe('cgroup layout', () => {
  it('detects one of the three layouts on this host', () => {
    expect(['v1', 'v2', 'hybrid']).toContain(detectCgroupLayout());
  });
});
