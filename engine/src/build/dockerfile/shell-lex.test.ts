import { describe, expect, it } from 'vitest';
import { processWord, processWords, rawWords, splitKeyValues } from './shell-lex.js';

const env = new Map([
  ['A', 'alpha'],
  ['E', ''],
]);

describe('shell word processing', () => {
  it('expands variables with the default and alternative forms', () => {
    expect(processWord('$A/${A}', env)).toBe('alpha/alpha');
    expect(processWord('${B:-dflt}', env)).toBe('dflt');
    expect(processWord('${E:-dflt}|${E-dflt}', env)).toBe('dflt|');
    expect(processWord('${A:+alt}|${B:+alt}|${E+set}', env)).toBe('alt||set');
    expect(processWord('${B:-$A-x}', env)).toBe('alpha-x');
    expect(() => processWord('${B:?needed}', env)).toThrow('B: needed');
  });

  it('removes quotes and honours escapes', () => {
    expect(processWord(`"a $A" '$A' \\$A`, env)).toBe(`a alpha $A $A`);
    expect(processWord('"q\\"x"', env)).toBe('q"x');
    expect(processWord('`$A', env, '`')).toBe('$A');
    expect(processWords('a "b c"  $A', env)).toEqual(['a', 'b c', 'alpha']);
  });

  it('splits key=value lists and the legacy form', () => {
    expect(splitKeyValues('a=1 b="x y"', 'ENV')).toEqual([['a', '1'], ['b', '"x y"']]);
    expect(() => splitKeyValues('a=1 c', 'ENV')).toThrow(`can't find = in "c"`);
    expect(splitKeyValues('KEY value with spaces', 'ENV')).toEqual([['KEY', 'value with spaces']]);
    expect(rawWords(`a="x y" b='z w'`)).toEqual([`a="x y"`, `b='z w'`]);
  });
});
