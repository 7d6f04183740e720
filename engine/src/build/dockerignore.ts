/**
 * `.dockerignore` with moby/patternmatcher's rules: lines trimmed, `#` in column 1 is a comment, patterns cleaned
 * like Go's filepath.Clean with leading `/` dropped, Go filepath.Match globs plus `**` for any number of
 * directories, `!` exceptions, the last matching line wins, and a pattern matching a directory matches everything
 * below it.
 */
import { posix } from 'node:path';
import { InvalidArgument } from '../base/errors.js';

interface Pattern {
  text: string;
  exclusion: boolean;
  re: RegExp;
}

/** Go's filepath.Clean for slash paths (relative result for relative input). */
function clean(p: string): string {
  const c = posix.normalize(p);
  return c.length > 1 ? c.replace(/\/$/, '') : c;
}

export function readIgnoreFile(content: string): string[] {
  const out: string[] = [];
  content
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw) => {
      if (raw.startsWith('#')) return;
      let p = raw.trim();
      if (p === '') return;
      const invert = p.startsWith('!');
      if (invert) p = p.slice(1).trim();
      if (p.length > 0) {
        p = clean(p);
        if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
      }
      out.push(invert ? `!${p}` : p);
    });
  return out;
}

function compile(pattern: string): RegExp {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        re += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw new InvalidArgument(`syntax error in pattern`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^') || cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new InvalidArgument(`syntax error in pattern`);
      re += next.replace(/[.+^${}()|[\]\\*?/]/g, '\\$&');
      i++;
    } else re += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 's');
}

export class IgnoreMatcher {
  private readonly patterns: Pattern[] = [];
  readonly hasExclusions: boolean;

  constructor(lines: string[]) {
    for (const line of lines) {
      const exclusion = line.startsWith('!');
      const text = exclusion ? line.slice(1) : line;
      if (text === '' || text === '.') continue;
      this.patterns.push({ text, exclusion, re: compile(text) });
    }
    this.hasExclusions = this.patterns.some((p) => p.exclusion);
  }

  get empty(): boolean {
    return this.patterns.length === 0;
  }

  /** Whether a context path (slash-separated, relative) is excluded, itself or through a parent directory. */
  ignores(path: string): boolean {
    const file = clean(path.replace(/^\/+/, ''));
    const parents: string[] = [];
    const parts = file.split('/');
    for (let i = 1; i < parts.length; i++) parents.push(parts.slice(0, i).join('/'));
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue;
      let m = p.re.test(file);
      if (!m) m = parents.some((d) => p.re.test(d));
      if (m) matched = !p.exclusion;
    }
    return matched;
  }
}
