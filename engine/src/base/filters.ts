import { InvalidArgument } from './errors.js';

/**
 * The `filters` query parameter of list, prune and events endpoints. Both JSON shapes are accepted, as dockerd
 * does: `{"label":{"a=b":true}}` (what the Go client sends) and `{"label":["a=b"]}` (the swagger's shape).
 * Values under one key are ORed; keys are ANDed; `label` values are ANDed (see matchKVList).
 */
export class Filters {
  private readonly fields: Map<string, Set<string>>;

  constructor(fields: Map<string, Set<string>> = new Map()) {
    this.fields = fields;
  }

  static parse(raw: string | null | undefined): Filters {
    if (raw === null || raw === undefined || raw.trim() === '') return new Filters();
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (err) {
      throw new InvalidArgument(`invalid filter: ${(err as Error).message}`);
    }
    if (parsed === null) return new Filters();
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new InvalidArgument('invalid filter: filters must be a JSON object');
    }
    const fields = new Map<string, Set<string>>();
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      const set = new Set<string>();
      if (Array.isArray(value)) {
        for (const v of value) set.add(String(v));
      } else if (value !== null && typeof value === 'object') {
        for (const [v, on] of Object.entries(value as Record<string, unknown>)) if (on !== false) set.add(v);
      } else {
        throw new InvalidArgument(`invalid filter: the value of '${key}' must be a list or an object`);
      }
      fields.set(key, set);
    }
    return new Filters(fields);
  }

  /** Rejects keys the endpoint does not know, with dockerd's message. */
  validate(accepted: readonly string[]): this {
    for (const key of this.fields.keys()) {
      if (!accepted.includes(key)) throw new InvalidArgument(`invalid filter '${key}'`);
    }
    return this;
  }

  keys(): string[] {
    return [...this.fields.keys()];
  }

  has(key: string): boolean {
    return (this.fields.get(key)?.size ?? 0) > 0;
  }

  get(key: string): string[] {
    return [...(this.fields.get(key) ?? [])];
  }

  /** True when the key is absent or `value` is one of its values. */
  exactMatch(key: string, value: string): boolean {
    const set = this.fields.get(key);
    return !set || set.size === 0 || set.has(value);
  }

  /** True when the key is absent, or `value` equals or starts with one of its values (IDs by prefix). */
  fuzzyMatch(key: string, value: string): boolean {
    const set = this.fields.get(key);
    if (!set || set.size === 0) return true;
    if (set.has(value)) return true;
    for (const term of set) if (value.startsWith(term)) return true;
    return false;
  }

  /** True when the key is absent, or one of its values, as a regular expression, matches (names). */
  regexMatch(key: string, value: string): boolean {
    const set = this.fields.get(key);
    if (!set || set.size === 0) return true;
    for (const term of set) {
      try {
        if (new RegExp(term).test(value)) return true;
      } catch {
        if (value.includes(term)) return true;
      }
    }
    return false;
  }

  /** `label` semantics: every value (`key` or `key=value`) must hold for the given labels. */
  matchKVList(key: string, labels: Record<string, string> | undefined | null): boolean {
    const set = this.fields.get(key);
    if (!set || set.size === 0) return true;
    const l = labels ?? {};
    for (const term of set) {
      const eq = term.indexOf('=');
      if (eq < 0) {
        if (!(term in l)) return false;
      } else if (l[term.slice(0, eq)] !== term.slice(eq + 1)) {
        return false;
      }
    }
    return true;
  }

  /** A boolean-valued filter (`dangling=true`); undefined when absent; 400 for anything but true/false/1/0. */
  boolValue(key: string): boolean | undefined {
    const values = this.get(key);
    if (values.length === 0) return undefined;
    const normalized = new Set(values.map((v) => v.toLowerCase()));
    const truthy = normalized.has('true') || normalized.has('1');
    const falsy = normalized.has('false') || normalized.has('0');
    for (const v of normalized) {
      if (!['true', 'false', '1', '0'].includes(v)) {
        throw new InvalidArgument(`invalid filter '${key}=${v}': must be a boolean value (true/false)`);
      }
    }
    if (truthy && falsy) throw new InvalidArgument(`invalid filter '${key}': conflicting values`);
    return truthy;
  }
}
