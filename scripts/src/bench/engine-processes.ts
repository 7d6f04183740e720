import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Which processes make up an engine, for the RSS scenario. Each engine is started on its own exec root, so its
 * helpers are found by that path in their command lines and never confused with another engine's on this host.
 */

interface Proc {
  pid: number;
  argv: string[];
}

async function listProcesses(): Promise<Proc[]> {
  const out: Proc[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    if (cmdline) out.push({ pid: Number(name), argv: cmdline.split('\0').filter(Boolean) });
  }
  return out;
}

const named = (p: Proc, base: RegExp) => base.test(path.basename(p.argv[0] ?? ''));
const mentions = (p: Proc, dir: string) => p.argv.some((a) => a.startsWith(dir));

/** berthd itself plus its per-container `berth-monitor` shims (their `--state-dir` is under the exec root). */
export async function berthProcesses(daemonPid: number, execRoot: string): Promise<number[]> {
  const monitors = (await listProcesses()).filter((p) => named(p, /^berth-monitor/) && mentions(p, execRoot));
  return [daemonPid, ...monitors.map((p) => p.pid)];
}

/**
 * dockerd, the containerd it supervises (its pid file is under the exec root) and that containerd's shims
 * (`containerd-shim-runc-v2 … -address <exec-root>/containerd/containerd.sock`).
 */
export async function dockerdProcesses(daemonPid: number, execRoot: string): Promise<number[]> {
  const pids = [daemonPid];
  const containerd = Number((await readFile(path.join(execRoot, 'containerd', 'containerd.pid'), 'utf8').catch(() => '')).trim());
  if (Number.isInteger(containerd) && containerd > 1) pids.push(containerd);
  const shims = (await listProcesses()).filter((p) => named(p, /^containerd-shim/) && mentions(p, execRoot));
  return [...pids, ...shims.map((p) => p.pid)];
}

/** Resident set size of the processes, summed, in MiB (a process gone meanwhile counts 0). */
export async function rssMiB(pids: number[]): Promise<number> {
  let kib = 0;
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    kib += Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
  }
  return kib / 1024;
}
