import { describe, expect, it } from 'vitest';
import { parsePsOutput, validatePsArgs } from './top.js';

describe('top', () => {
  it('keeps the container rows, joins the command columns, and follows threads (-m) of kept processes', () => {
    const out = ['UID PID PPID CMD', 'root 10 1 sh -c sleep 1', 'root 11 10 sleep 1', 'root 99 1 other', '- - - thread-of-11', 'root 12 1 x'].join('\n');
    const r = parsePsOutput(`${out.replace('root 11 10 sleep 1\nroot 99 1 other\n- - - thread-of-11', 'root 99 1 other\nroot 11 10 sleep 1\n- - - thread-of-11')}\n`, [10, 11]);
    expect(r.Titles).toEqual(['UID', 'PID', 'PPID', 'CMD']);
    expect(r.Processes).toEqual([['root', '10', '1', 'sh -c sleep 1'], ['root', '11', '10', 'sleep 1'], ['-', '-', '-', 'thread-of-11']]);
  });

  it('refuses output without a PID column and ps args that rename it', () => {
    expect(() => parsePsOutput('UID CMD\nroot sh\n', [1])).toThrow("Couldn't find PID field in ps output");
    expect(() => validatePsArgs('-o pid,ppid=PID')).toThrow('specifying "pid,ppid=PID" is not allowed');
    expect(() => validatePsArgs('-o pid=PID')).not.toThrow();
  });
});
