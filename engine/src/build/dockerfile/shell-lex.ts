/**
 * Word processing for the instructions that take variables (FROM, COPY, ADD, ENV, ARG, LABEL, EXPOSE, USER,
 * WORKDIR, VOLUME, STOPSIGNAL, ONBUILD): quotes are removed, the escape character escapes, and `$VAR`, `${VAR}`,
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?msg}` expand against the build's
 * environment. RUN, CMD and ENTRYPOINT are left to the shell, as in dockerd.
 */
import { InvalidArgument } from '../../base/errors.js';

export type Env = ReadonlyMap<string, string>;

class Lexer {
  private i = 0;
  constructor(
    private readonly s: string,
    private readonly env: Env,
    private readonly escape: string,
  ) {}

  private peek(): string | undefined {
    return this.s[this.i];
  }

  /** Reads up to a stop character (outside quotes) or the end; `split` makes unquoted blanks separate words. */
  words(split: boolean, stop?: string): string[] {
    const out: string[] = [];
    let word = '';
    let inWord = false;
    while (this.i < this.s.length) {
      const ch = this.s[this.i]!;
      if (stop !== undefined && ch === stop) break;
      if (split && /\s/.test(ch)) {
        this.i++;
        if (inWord) out.push(word);
        word = '';
        inWord = false;
        continue;
      }
      inWord = true;
      this.i++;
      if (ch === this.escape) {
        const next = this.s[this.i];
        if (next === undefined) word += ch;
        else {
          word += next;
          this.i++;
        }
      } else if (ch === "'") word += this.single();
      else if (ch === '"') word += this.double();
      else if (ch === '$') word += this.dollar();
      else word += ch;
    }
    if (inWord || !split) out.push(word);
    return out;
  }

  private single(): string {
    const end = this.s.indexOf("'", this.i);
    if (end < 0) throw new InvalidArgument('unexpected end of statement while looking for matching single-quote');
    const v = this.s.slice(this.i, end);
    this.i = end + 1;
    return v;
  }

  private double(): string {
    let v = '';
    for (;;) {
      const ch = this.s[this.i];
      if (ch === undefined) throw new InvalidArgument('unexpected end of statement while looking for matching double-quote');
      this.i++;
      if (ch === '"') return v;
      if (ch === '$') v += this.dollar();
      else if (ch === this.escape) {
        const next = this.s[this.i];
        if (next === '"' || next === '$' || next === this.escape) {
          v += next;
          this.i++;
        } else v += ch;
      } else v += ch;
    }
  }

  private name(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.s.slice(this.i));
    if (!m) return '';
    this.i += m[0].length;
    return m[0];
  }

  private dollar(): string {
    if (this.peek() === '{') {
      this.i++;
      const name = this.name();
      if (name === '') throw new InvalidArgument(`bad substitution: ${this.s}`);
      const value = this.env.get(name);
      if (this.peek() === '}') {
        this.i++;
        return value ?? '';
      }
      let op = this.s[this.i] ?? '';
      this.i++;
      if (op === ':') {
        op += this.s[this.i] ?? '';
        this.i++;
      }
      const word = this.words(false, '}')[0] ?? '';
      if (this.peek() !== '}') throw new InvalidArgument(`missing '}'`);
      this.i++;
      switch (op) {
        case ':-':
          return value ? value : word;
        case '-':
          return value ?? word;
        case ':+':
          return value ? word : '';
        case '+':
          return value !== undefined ? word : '';
        case ':?':
          if (!value) throw new InvalidArgument(`${name}: ${word || 'is not allowed to be empty'}`);
          return value;
        case '?':
          if (value === undefined) throw new InvalidArgument(`${name}: ${word || 'is not allowed to be unset'}`);
          return value;
        default:
          throw new InvalidArgument(`unsupported modifier (${op}) in substitution`);
      }
    }
    const name = this.name();
    if (name === '') return '$';
    return this.env.get(name) ?? '';
  }
}

/** One word, quotes removed and variables expanded (ENV/LABEL values, WORKDIR, USER…). */
export function processWord(word: string, env: Env, escape = '\\'): string {
  return new Lexer(word, env, escape).words(false)[0] ?? '';
}

/** Several blank-separated words (EXPOSE, VOLUME, COPY sources in shell form). */
export function processWords(input: string, env: Env, escape = '\\'): string[] {
  return new Lexer(input, env, escape).words(true);
}

/**
 * Splits `key=value key2="v 2"` (or the legacy `key value…` single pair) into raw, still-quoted parts, as
 * moby's parseNameVal does before expansion. `legacyAllowed` is false for LABEL with one word and no `=`.
 */
export function splitKeyValues(rest: string, instruction: string, escape = '\\'): Array<[string, string]> {
  const words = rawWords(rest, escape);
  if (words.length === 0) throw new InvalidArgument(`${instruction} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(rest.trim())!;
    if (m[2] === '' && instruction !== 'ARG') throw new InvalidArgument(`${instruction} must have two arguments`);
    return [[m[1]!, m[2]!]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) throw new InvalidArgument(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    if (eq === 0) throw new InvalidArgument(`${instruction} names can not be blank`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/** Blank-separated words with their quotes and escapes kept (expansion happens later, per word). */
export function rawWords(s: string, escape = '\\'): string[] {
  const out: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote === undefined && /\s/.test(ch)) {
      if (word !== '') out.push(word);
      word = '';
      continue;
    }
    word += ch;
    if (ch === escape && quote !== "'" && i + 1 < s.length) {
      word += s[++i];
      continue;
    }
    if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
    else if (quote === ch) quote = undefined;
  }
  if (word !== '') out.push(word);
  return out;
}
