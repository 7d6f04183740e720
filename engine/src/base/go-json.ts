/**
 * Go's encoding/json matches object keys to struct fields case-insensitively, so dockerd takes
 * `CPURealtimePeriod` (docker-py's spelling) for `CpuRealtimePeriod`. Renames the keys of `input` that match a
 * `known` field name in another case; an exact key wins over a case variant, unknown keys are kept as they are.
 */
export function goFieldNames<T extends object>(input: T, known: readonly string[]): T {
  const byLower = new Map(known.map((k) => [k.toLowerCase(), k]));
  const out: Record<string, unknown> = {};
  const exact = new Set(Object.keys(input).filter((k) => known.includes(k)));
  for (const [key, value] of Object.entries(input)) {
    const field = exact.has(key) ? key : (byLower.get(key.toLowerCase()) ?? key);
    if (field !== key && exact.has(field)) continue;
    out[field] = value;
  }
  return out as T;
}
