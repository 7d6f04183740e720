// The dashboard for UI benchmarks: `berth dashboard --print-url` started as a user would (a cold host process),
// and Debian's Chromium through playwright-core, headless.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from '../testrig/paths.js';
import { stopByPid } from '../testrig/processes.js';
import type { BenchTarget } from './scenario.js';

export const CHROMIUM = '/usr/bin/chromium';
const BERTH_BIN = path.join(repoRoot, 'electron', 'bin', 'berth');

/** Why the dashboard cannot be benchmarked here, or undefined. Measured against berthd only: the host code is ours. */
export function dashboardUnsupported(target: BenchTarget): string | undefined {
  if (target.kind !== 'berth') return 'the dashboard is Berth\'s own host process (measured once, against berthd)';
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} missing (apt-get install chromium)`;
  if (!existsSync(path.join(repoRoot, 'renderer', 'dist', 'index.html'))) return 'renderer not built (npm run build -w renderer)';
  if (!existsSync(path.join(repoRoot, 'electron', 'dist', 'cli', 'dashboard.js'))) return 'electron not built (npx tsc -b electron)';
  return undefined;
}

export interface RunningDashboard {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startDashboardProcess(target: BenchTarget): Promise<RunningDashboard> {
  const child = spawn(process.execPath, [BERTH_BIN, 'dashboard', '--engine', target.dockerHost, '--print-url'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
    });
    child.once('exit', (code) => reject(new Error(`berth dashboard exited (${code}): ${err}`)));
  });
  return { url, child, stop: async () => void (await stopByPid(child, 5_000)) };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** A fresh tab on the dashboard, waited until the navigation is on screen. */
export async function openDashboard(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** CPU seconds (user + system) a process has used, from /proc/PID/stat (in clock ticks, 100 a second on Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after "pid (comm) ".
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
