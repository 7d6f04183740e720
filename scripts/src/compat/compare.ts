/**
 * Per-test comparison of docker-py suite runs: dockerd's one run is the reference, each berthd run is held against
 * it. A test that passes on dockerd and not on berthd is a difference to fix unless KNOWN_DIFFERENCES names it
 * with its reason (features berthd does not have by design).
 */
import { parseJunit, type Outcome, type TestResult } from './junit.js';

export interface DaemonRun {
  label: string;
  version: string;
  xml: string;
}

/** Differences that are not bugs: each pattern matches pytest ids (`file.py::Class::test`). */
export const KNOWN_DIFFERENCES: { pattern: RegExp; reason: string }[] = [
  { pattern: /ipv6/i, reason: 'IPv6: berthd networks are IPv4-only (issue 18 leaves IPv6 out)' },
  {
    pattern: /^(api_swarm_test|api_service_test|api_secret_test|api_config_test|models_swarm_test|models_services_test|models_nodes_test)\.py::/,
    reason: 'swarm mode: berthd has no swarm (issue 18 leaves it out)',
  },
  {
    pattern: /^api_network_test\.py::TestNetworks::test_create_(inspect_network_with_scope|network_attachable|network_ingress)$/,
    reason: 'swarm mode: the test starts with swarm init (berthd has no swarm)',
  },
];

export interface Comparison {
  runs: { label: string; version: string; passed: number; total: number; counts: Record<Outcome, number> }[];
  /** Passes on dockerd, not on at least one berthd run: id → per-run outcome and message, and the known reason. */
  worse: { id: string; known?: string; berthd: TestResult[] }[];
  /** Passes on every berthd run, not on dockerd. */
  better: { id: string; dockerd: TestResult }[];
  unexplained: number;
}

export function compareRuns(dockerd: DaemonRun | undefined, berthd: DaemonRun[]): Comparison {
  const parsed = [...(dockerd ? [dockerd] : []), ...berthd].map((r) => ({ run: r, results: parseJunit(r.xml) }));
  const runs = parsed.map(({ run, results }) => {
    const counts: Record<Outcome, number> = { passed: 0, failed: 0, error: 0, skipped: 0 };
    for (const r of results.values()) counts[r.outcome]++;
    return { label: run.label, version: run.version, passed: counts.passed, total: results.size, counts };
  });
  const worse: Comparison['worse'] = [];
  const better: Comparison['better'] = [];
  if (dockerd) {
    const ref = parsed[0]!.results;
    const berthdResults = parsed.slice(1).map((p) => p.results);
    for (const [id, d] of ref) {
      const b = berthdResults.map((r) => r.get(id) ?? { id, outcome: 'error' as const, message: 'not run' });
      if (d.outcome === 'passed' && b.some((x) => x.outcome !== 'passed')) {
        const known = KNOWN_DIFFERENCES.find((k) => k.pattern.test(id))?.reason;
        worse.push({ id, ...(known ? { known } : {}), berthd: b });
      } else if (d.outcome !== 'passed' && b.length > 0 && b.every((x) => x.outcome === 'passed')) {
        better.push({ id, dockerd: d });
      }
    }
  }
  return { runs, worse, better, unexplained: worse.filter((w) => !w.known).length };
}

export function formatComparison(c: Comparison): string {
  const lines: string[] = [];
  for (const r of c.runs) {
    const { failed, error, skipped } = r.counts;
    lines.push(`${r.label.padEnd(10)} ${r.version.padEnd(10)} passed ${r.passed}/${r.total} (failed ${failed}, errors ${error}, skipped ${skipped})`);
  }
  const unexplained = c.worse.filter((w) => !w.known);
  const known = c.worse.filter((w) => w.known);
  lines.push('', `Pass on dockerd, not on berthd: ${c.worse.length} (${unexplained.length} to fix, ${known.length} known)`);
  for (const w of [...unexplained, ...known]) {
    const how = w.berthd.map((b) => b.outcome).join('/');
    const msg = w.berthd.find((b) => b.outcome !== 'passed')?.message ?? '';
    lines.push(`  ${w.known ? 'known ' : 'FIX   '} ${w.id}  [berthd ${how}] ${w.known ?? msg}`);
  }
  lines.push('', `Pass on berthd, not on dockerd: ${c.better.length}`);
  for (const b of c.better) lines.push(`         ${b.id}  [dockerd ${b.dockerd.outcome}] ${b.dockerd.message}`);
  return lines.join('\n');
}
