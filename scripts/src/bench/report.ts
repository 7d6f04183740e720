import type { BenchScenario } from './scenario.js';
import type { Summary } from './stats.js';

export interface ScenarioResult {
  scenario: string;
  description: string;
  unit: BenchScenario['unit'];
  better: BenchScenario['better'];
  iterations: number;
  /** Null when the scenario does not apply to that engine or failed there (see `notes`). */
  berth: Summary | null;
  dockerd: Summary | null;
  /** Berth median / dockerd median; read with `better` (below 1 is better for ms, above 1 for req/s). */
  ratio: number | null;
  /** Why an engine has no figure, or what the reader must know to compare (printed under the table). */
  notes?: string[];
}

export interface BenchReport {
  startedAt: string;
  host: { cpus: number; node: string; platform: string };
  berth: string;
  peer: string;
  results: ScenarioResult[];
}

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

export function formatTable(report: BenchReport): string {
  const rows = [['scenario', 'unit', 'Berth median', 'dockerd median', 'Berth/dockerd', 'better']];
  for (const r of report.results) {
    rows.push([
      r.scenario,
      r.unit,
      r.berth ? fmt(r.berth.median) : '-',
      r.dockerd ? fmt(r.dockerd.median) : '-',
      r.ratio === null ? '-' : r.ratio.toFixed(2),
      r.better === 'lower' ? 'lower' : 'higher',
    ]);
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: string[]) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  ');
  const notes = report.results.flatMap((r) => (r.notes ?? []).map((n) => `  ${r.scenario}: ${n}`));
  return [
    `Berth: ${report.berth}`,
    `peer:  ${report.peer}`,
    `host:  ${report.host.cpus} CPUs, node ${report.host.node}`,
    '',
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.slice(1).map(line),
    ...(notes.length ? ['', 'notes:', ...notes] : []),
  ].join('\n');
}
