/**
 * Checks a parsed JSON body against the Go type dockerd decodes it into, and fails as Go's encoding/json does, in
 * dockerd's words: `invalid JSON: json: cannot unmarshal string into Go struct field HostConfig.HostConfig.Memory
 * of type int64`. Go's rules: null is always accepted (the zero value), unknown fields are ignored, field names
 * match case-insensitively when no exact match exists, integers must be whole and fit their width, and
 * strslice.StrSlice fields (Cmd, Entrypoint, Shell) take a string or an array of strings.
 */
import { InvalidArgument } from '../../base/errors.js';
import type { GoNode } from './go-node.js';

const INT_RANGE: Record<string, [number, number]> = {
  int: [-(2 ** 63), 2 ** 63 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint: [0, 2 ** 64 - 1],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 2 ** 32 - 1],
  uint64: [0, 2 ** 64 - 1],
};

/** Go's name for the kind of a JSON value in decode errors. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

interface Where {
  /** The innermost struct's Go name. */
  struct: string;
  /** Field names from the body's root, dotted. */
  path: string[];
}

function fail(value: string, where: Where, goType: string): never {
  const field = where.path.length > 0 ? `Go struct field ${where.struct}.${where.path.join('.')}` : 'Go value';
  throw new InvalidArgument(`invalid JSON: json: cannot unmarshal ${value} into ${field} of type ${goType}`);
}

/** The field a key decodes into, by its Go name (which errors print, whatever the key's case). */
function fieldOf(fields: Record<string, GoNode>, key: string): [string, GoNode] | undefined {
  const name = Object.hasOwn(fields, key) ? key : Object.keys(fields).find((f) => f.toLowerCase() === key.toLowerCase());
  return name === undefined ? undefined : [name, fields[name] as GoNode];
}

function check(v: unknown, n: GoNode, where: Where): void {
  if (v === null || n.k === 'any') return;
  switch (n.k) {
    case 'string':
      if (typeof v !== 'string') fail(jsonKind(v), where, n.go);
      return;
    case 'bool':
      if (typeof v !== 'boolean') fail(jsonKind(v), where, n.go);
      return;
    case 'float64':
      if (typeof v !== 'number') fail(jsonKind(v), where, n.go);
      return;
    case 'int': {
      if (typeof v !== 'number') fail(jsonKind(v), where, n.go);
      const [min, max] = INT_RANGE[n.go] ?? (INT_RANGE.int as [number, number]);
      if (!Number.isInteger(v) || v < min || v > max) fail(`number ${v}`, where, n.go);
      return;
    }
    case 'strslice':
      if (typeof v === 'string') return;
      if (!Array.isArray(v) || v.some((x) => x !== null && typeof x !== 'string')) fail(jsonKind(v), where, 'string');
      return;
    case 'array':
      if (!Array.isArray(v)) fail(jsonKind(v), where, n.go);
      for (const x of v) check(x, n.of, where);
      return;
    case 'map':
      if (typeof v !== 'object' || Array.isArray(v)) fail(jsonKind(v), where, n.go);
      for (const x of Object.values(v as object)) check(x, n.of, where);
      return;
    case 'struct':
      if (typeof v !== 'object' || Array.isArray(v)) fail(jsonKind(v), where, n.go);
      for (const [key, x] of Object.entries(v as object)) {
        const f = fieldOf(n.fields, key);
        if (!f) continue;
        check(x, f[1], { struct: n.name, path: [...where.path, f[0]] });
        // Go fills the field whatever the key's case; the engine reads the field's own name.
        if (f[0] !== key) {
          const o = v as Record<string, unknown>;
          o[f[0]] = x;
          delete o[key];
        }
      }
  }
}

/**
 * Throws dockerd's 400 for the first value Go could not decode into `shape` (document order, as Go reports);
 * keys matched case-insensitively are renamed to the field's own name in place, as decoding would file them.
 */
export function checkGoDecodable(body: unknown, shape: GoNode): void {
  check(body, shape, { struct: shape.k === 'struct' ? shape.name : '', path: [] });
}

/**
 * Go's decoder refuses JSON nested deeper than 10000 levels ("exceeded max depth"); berthd takes far less, since
 * no Docker API body nests beyond a few levels and deep values would reach code that recurses.
 */
export const MAX_JSON_DEPTH = 100;

/** The deepest nesting of arrays and objects in a JSON text, stopping early once past `limit`. */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}
