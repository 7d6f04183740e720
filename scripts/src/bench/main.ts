import os from 'node:os';
import { parseArgs } from 'node:util';
import { berthdIsBuilt, BERTHD_ENTRY } from '../testrig/berthd.js';
import { formatTable, type BenchReport, type ScenarioResult } from './report.js';
import type { BenchScenario } from './scenario.js';
import { scenarios } from './scenarios/index.js';
import { stopBenchFixtures } from './fixtures.js';
import { measureAlternating, measureOn, settledBy } from './measure.js';
import { summarize, type Summary } from './stats.js';
import { resolvePeer, startBerthTarget, type StartedTarget } from './targets.js';

const USAGE = `usage: npm run bench -- [--filter a,b] [--iterations N] [--peer unix:///path/docker.sock] [--no-peer] [--json] [--list]

Runs named scenarios against a berthd started from this checkout and, side by side, against a peer dockerd:
the one --peer names, else the rig's (Debian bookworm's docker.io 20.10, unpacked into .cache/toolchain).`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      filter: { type: 'string' },
      iterations: { type: 'string' },
      peer: { type: 'string' },
      'no-peer': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.list) {
    for (const s of scenarios) console.log(`${s.name.padEnd(20)} ${s.description}`);
    return 0;
  }
  const chosen = selectScenarios(values.filter);
  const iterations = values.iterations === undefined ? undefined : Number(values.iterations);
  if (iterations !== undefined && (!Number.isInteger(iterations) || iterations < 1)) throw new Error('--iterations must be a positive integer');
  if (!berthdIsBuilt()) throw new Error(`berthd is not built (${BERTHD_ENTRY}): run \`npx tsc -b engine\` (npm run bench does)`);

  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const started: StartedTarget[] = [];
  try {
    const berth = await startBerthTarget();
    started.push(berth);
    const peer = await resolvePeer(values.peer, !values['no-peer']);
    if (peer.target) started.push(peer.target);
    log(`Berth: ${berth.label}; peer: ${peer.note}`);

    const results: ScenarioResult[] = [];
    for (const s of chosen) {
      const n = iterations ?? s.defaultIterations;
      log(`${s.name}: ${n} iterations on ${started.map((t) => t.kind).join(' and ')}`);
      const notes: string[] = [];
      const beforeEach = s.settled ? settledBy(started, notes) : undefined;
      const [bm, dm] =
        s.settled && peer.target
          ? await measureAlternating(s, [berth, peer.target], n, notes, log, beforeEach)
          : [await measureOn(s, berth, n, notes, log, beforeEach), peer.target ? await measureOn(s, peer.target, n, notes, log, beforeEach) : null];
      if (s.settled) notes.push(`each iteration after every engine was quiet and \`sync\` ran${peer.target ? ', the engines taking turns (first alternating)' : ''}`);
      const [b, d] = [bm?.summary ?? null, dm?.summary ?? null];
      if (s.floor) notes.push(...(await s.floor().catch((err: unknown) => [`floor not measured: ${String(err)}`])));
      results.push({
        scenario: s.name,
        description: s.description,
        unit: s.unit,
        better: s.better,
        iterations: n,
        berth: b,
        dockerd: d,
        ratio: b && d && d.median > 0 ? b.median / d.median : null,
        notes,
      });
      // A scenario's parts (a VM start's stages) as rows of their own under it.
      for (const part of new Set([...Object.keys(bm?.parts ?? {}), ...Object.keys(dm?.parts ?? {})])) {
        const [bp, dp] = [bm?.parts[part], dm?.parts[part]].map((v) => (v?.length ? summarize(v) : null)) as [Summary | null, Summary | null];
        results.push({
          scenario: `  ${s.name} › ${part}`,
          description: `${part}, part of ${s.name}`,
          unit: s.unit,
          better: s.better,
          iterations: n,
          berth: bp,
          dockerd: dp,
          ratio: bp && dp && dp.median > 0 ? bp.median / dp.median : null,
        });
      }
    }
    const report: BenchReport = {
      startedAt: new Date().toISOString(),
      host: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` },
      berth: berth.label,
      peer: peer.note,
      results,
    };
    console.log(values.json ? JSON.stringify(report, null, 2) : formatTable(report));
    // A scenario that failed on Berth is a failed run; one the peer cannot do (or failed) is only a note.
    return results.every((r) => r.berth !== null) ? 0 : 1;
  } finally {
    await stopBenchFixtures().catch((err: unknown) => log(`stopping the bench registry: ${String(err)}`));
    for (const t of started.reverse()) await t.stop().catch((err: unknown) => log(`stopping ${t.label}: ${String(err)}`));
  }
}

function selectScenarios(filter: string | undefined): BenchScenario[] {
  if (!filter) return scenarios;
  const wanted = filter.split(',').map((f) => f.trim()).filter(Boolean);
  // A term that is a scenario's whole name picks that one only (`pull` is not also `small-files-pull`); any other
  // term picks every scenario whose name contains it.
  const names = new Set(scenarios.map((s) => s.name));
  const chosen = scenarios.filter((s) => wanted.some((w) => (names.has(w) ? s.name === w : s.name.includes(w))));
  if (chosen.length === 0) throw new Error(`--filter ${filter} matches no scenario (have: ${scenarios.map((s) => s.name).join(', ')})`);
  return chosen;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
