import { describe, expect, it } from 'vitest';
import { IgnoreMatcher, readIgnoreFile } from './dockerignore.js';

const m = (content: string) => new IgnoreMatcher(readIgnoreFile(content));

describe('.dockerignore', () => {
  it('anchors patterns at the root and lets ** cross directories', () => {
    const i = m('*.md\n**/*.log\n/build/\n');
    expect(i.ignores('README.md')).toBe(true);
    expect(i.ignores('docs/README.md')).toBe(false);
    expect(i.ignores('a.log')).toBe(true);
    expect(i.ignores('x/y/a.log')).toBe(true);
    expect(i.ignores('build/out/bin')).toBe(true);
    expect(i.ignores('builder')).toBe(false);
  });

  it('lets the last matching line win, with ! exceptions', () => {
    expect(m('*.md\n!README*.md\nREADME-secret.md').ignores('README-secret.md')).toBe(true);
    expect(m('*.md\nREADME-secret.md\n!README*.md').ignores('README-secret.md')).toBe(false);
    expect(m('*\n!src').ignores('src/main.ts')).toBe(false);
    expect(m('*\n!src').ignores('other')).toBe(true);
  });

  it('follows the reference examples', () => {
    const i = m('# comment\n*/temp*\n*/*/temp*\ntemp?');
    expect(i.ignores('somedir/temporary.txt')).toBe(true);
    expect(i.ignores('somedir/temp/x')).toBe(true);
    expect(i.ignores('somedir/subdir/temporary.txt')).toBe(true);
    expect(i.ignores('tempa')).toBe(true);
    expect(i.ignores('temp')).toBe(false);
    expect(i.ignores('# comment')).toBe(false);
  });

  it('cleans patterns and ignores the lone dot', () => {
    expect(readIgnoreFile(' ./a/../b/ \n.\n !/c\n#x\n')).toEqual(['b', '.', '!c']);
    expect(m('.').empty).toBe(true);
    expect(m('a/**').ignores('a/b/c')).toBe(true);
    expect(m('**').ignores('anything/at/all')).toBe(true);
    expect(m('[a-c].txt').ignores('b.txt')).toBe(true);
    expect(m('[!a].txt').ignores('a.txt')).toBe(false);
  });
});
