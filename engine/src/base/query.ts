import { InvalidArgument } from './errors.js';

/**
 * dockerd's boolean query values: "", "0", "no", "false" and "none" (any case) are false, anything else is true.
 * An absent parameter takes the given default.
 */
export function boolParam(query: URLSearchParams, name: string, defaultValue = false): boolean {
  const raw = query.get(name);
  if (raw === null) return defaultValue;
  const v = raw.trim().toLowerCase();
  return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none');
}

/** An integer query value; absent or empty gives the default, anything unparsable is a 400 like dockerd's. */
export function intParam(query: URLSearchParams, name: string, defaultValue: number): number {
  const raw = query.get(name);
  if (raw === null || raw.trim() === '') return defaultValue;
  const n = Number(raw.trim());
  if (!Number.isInteger(n)) {
    throw new InvalidArgument(`invalid value for ${name}: strconv.Atoi: parsing "${raw}": invalid syntax`);
  }
  return n;
}

/** A JSON-encoded query value (`buildargs`, `labels`, `platform` on some endpoints). */
export function jsonParam<T>(query: URLSearchParams, name: string): T | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch (err) {
    throw new InvalidArgument(`invalid ${name} value: ${(err as Error).message}`);
  }
}
