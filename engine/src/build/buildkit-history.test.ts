import { describe, expect, it } from 'vitest';
import { copyHistory, exposeHistory, goDuration, goList, healthcheckHistory, runHistory } from './buildkit-history.js';
import type { StageState } from './state.js';

function stage(args: Array<[string, string | undefined]>, env: string[] = []): StageState {
  return { index: 0, name: undefined, image: undefined, config: { Env: env }, platform: { os: 'linux', architecture: 'amd64' }, args: new Map(args), cmdSet: false, author: undefined };
}

describe("BuildKit's history text", () => {
  it('RUN lists the stage ARGs in declaration order, an ENV of the same name winning, unset ones empty', () => {
    expect(runHistory(stage([]), ['/bin/sh', '-c', 'make all'])).toBe('RUN /bin/sh -c make all # buildkit');
    expect(runHistory(stage([['Z', '1'], ['A', undefined], ['V', 'arg']], ['V=env']), ['/bin/sh', '-c', 'true'])).toBe('RUN |3 Z=1 A= V=env /bin/sh -c true # buildkit');
  });

  it('COPY and ADD keep the sources and destination as written, with the flags that shape the files', () => {
    expect(copyHistory({ add: false, sources: ['app/'], dest: './' })).toBe('COPY app/ ./ # buildkit');
    expect(copyHistory({ add: true, sources: ['a', 'b', '<<EOF'], dest: '/x/', chown: '1000:1000', chmod: '640', parents: true })).toBe(
      'ADD --parents --chown=1000:1000 --chmod=640 a b <<EOF /x/ # buildkit',
    );
  });

  it("EXPOSE, SHELL and HEALTHCHECK read as Go's fmt prints them", () => {
    expect(exposeHistory(['8080/tcp', '53/udp'])).toBe('EXPOSE map[53/udp:{} 8080/tcp:{}]');
    expect(`SHELL ${goList(['/bin/bash', '-c'])}`).toBe('SHELL [/bin/bash -c]');
    expect(healthcheckHistory({ Test: ['CMD-SHELL', 'curl -f http://x/'], Interval: 30e9, Retries: 3 })).toBe(
      `HEALTHCHECK &{["CMD-SHELL" "curl -f http://x/"] "30s" "0s" "0s" "0s" '\\x03'}`,
    );
    expect(healthcheckHistory({ Test: ['NONE'] })).toBe(`HEALTHCHECK &{["NONE"] "0s" "0s" "0s" "0s" '\\x00'}`);
  });

  it('durations as time.Duration.String()', () => {
    expect([0, 500e6, 1.5e9, 90e9, 3600e9 + 1e9, 1500].map(goDuration)).toEqual(['0s', '500ms', '1.5s', '1m30s', '1h0m1s', '1.5µs']);
  });
});
