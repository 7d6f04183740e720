import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { rssMiB } from '../engine-processes.js';
import { pulledInto } from '../fixtures.js';
import { defineScenario, type BenchTarget } from '../scenario.js';

const CLIENTS = 100;
/** Of the clients, this many run containers (create, start, kill, rm on the default bridge) instead of reading. */
const CONTAINER_CLIENTS = 5;
const DURATION_MS = Number(process.env.BERTH_BENCH_LOAD_MS ?? 60_000);

/** What a run could leave behind on the host, counted before and after. */
interface HostCounts {
  veth: number;
  netns: number;
  mounts: number;
  rules: number;
  daemonFds: number;
}

interface Ctx {
  image: string;
  before: HostCounts;
  requests: number;
  errors: string[];
  latencies: number[];
  peakRssMiB: number;
}

function count(cmd: string, args: string[], match: (line: string) => boolean): number {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).split('\n').filter(match).length;
  } catch {
    return -1;
  }
}

async function hostCounts(target: BenchTarget): Promise<HostCounts> {
  const daemon = (await target.processes?.())?.[0];
  return {
    veth: count('ip', ['-o', 'link', 'show', 'type', 'veth'], (l) => l.trim() !== ''),
    netns: count('ip', ['netns', 'list'], (l) => l.trim() !== ''),
    mounts: (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter(Boolean).length,
    rules: count('iptables-save', [], (l) => l.startsWith('-A ')),
    daemonFds: daemon ? (await readdir(`/proc/${daemon}/fd`)).length : -1,
  };
}

/** One request; resolves with its status, rejects on a socket error. */
function request(target: BenchTarget, agent: http.Agent, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { socketPath: target.socket, method, path, agent, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const READS = ['/_ping', '/version', '/info', '/containers/json?all=1', '/images/json', '/networks', '/volumes', '/events?since=0&until=1'];

/**
 * The robustness campaign's load (issue 17): 100 clients for a minute, each on its own kept-alive connection, reading
 * the API as a dashboard and scripts do, while a few run containers on the default bridge. The sample is the p99
 * latency; the notes give the request and error counts, the engine's peak RSS and what was left on the host
 * afterwards (veth, netns, mounts, iptables rules, daemon descriptors), which must all be back where they started.
 */
export default defineScenario<Ctx>({
  name: 'load-100-clients',
  description: `${CLIENTS} clients for ${DURATION_MS / 1000} s (API reads; ${CONTAINER_CLIENTS} run containers), p99 latency ms`,
  unit: 'ms',
  better: 'lower',
  defaultIterations: 1,
  warmup: 0,
  unsupported: (target) => target.noBridge,
  async setup(target) {
    const image = await pulledInto(target, 'busybox');
    return { image, before: await hostCounts(target), requests: 0, errors: [], latencies: [], peakRssMiB: 0 };
  },
  async run(ctx, target) {
    const deadline = Date.now() + DURATION_MS;
    const sampler = (async () => {
      while (Date.now() < deadline) {
        const pids = await target.processes?.();
        if (pids) ctx.peakRssMiB = Math.max(ctx.peakRssMiB, await rssMiB(pids));
        await sleep(1000);
      }
    })();
    const timed = async (agent: http.Agent, method: string, path: string, body?: unknown, ok = (s: number) => s < 300) => {
      const start = process.hrtime.bigint();
      try {
        const r = await request(target, agent, method, path, body);
        ctx.latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
        ctx.requests++;
        if (!ok(r.status)) ctx.errors.push(`${method} ${path}: ${r.status} ${r.text.slice(0, 120)}`);
        return r;
      } catch (err) {
        ctx.requests++;
        ctx.errors.push(`${method} ${path}: ${(err as Error).message}`);
        return undefined;
      }
    };
    const reader = async (n: number) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = n; Date.now() < deadline; i++) await timed(agent, 'GET', READS[i % READS.length]!);
      agent.destroy();
    };
    const runner = async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (Date.now() < deadline) {
        const created = await timed(agent, 'POST', '/containers/create', { Image: ctx.image, Cmd: ['sleep', '60'] });
        const id = created && created.status === 201 ? (JSON.parse(created.text) as { Id: string }).Id : undefined;
        if (!id) continue;
        await timed(agent, 'POST', `/containers/${id}/start`);
        await timed(agent, 'GET', `/containers/${id}/json`);
        await timed(agent, 'DELETE', `/containers/${id}?force=1`);
      }
      agent.destroy();
    };
    await Promise.all([
      ...Array.from({ length: CLIENTS - CONTAINER_CLIENTS }, (_, n) => reader(n)),
      ...Array.from({ length: CONTAINER_CLIENTS }, () => runner()),
    ]);
    await sampler;
    const sorted = [...ctx.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
  },
  async notes(ctx, target) {
    // Removed containers' namespaces and mounts go in the background: give them a moment before counting.
    let after = await hostCounts(target);
    for (let i = 0; i < 20 && (after.veth > ctx.before.veth || after.netns > ctx.before.netns || after.mounts > ctx.before.mounts); i++) {
      await sleep(500);
      after = await hostCounts(target);
    }
    const sorted = [...ctx.latencies].sort((a, b) => a - b);
    const p = (q: number) => (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0).toFixed(1);
    const leaks = (Object.keys(after) as Array<keyof HostCounts>).map((k) => `${k} ${after[k] - ctx.before[k] >= 0 ? '+' : ''}${after[k] - ctx.before[k]}`);
    return [
      `load: ${ctx.requests} requests, ${ctx.errors.length} errors, p50 ${p(0.5)} ms, p99 ${p(0.99)} ms, peak RSS ${ctx.peakRssMiB.toFixed(0)} MiB`,
      `load: left on the host afterwards: ${leaks.join(', ')} (other engines on the machine count too)`,
      ...ctx.errors.slice(0, 3).map((e) => `load error: ${e}`),
    ];
  },
});
