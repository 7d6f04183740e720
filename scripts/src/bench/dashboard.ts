// The dashboard for UI benchmarks: `berth dashboard --print-url` started as a user would (a cold host process),
// and Debian's Chromium through playwright-core, headless.
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, dashboardPrerequisitesMissing, startDashboardProcess as startDashboard } from '../testrig/dashboard.js';
import { stopByPid } from '../testrig/processes.js';
import type { BenchTarget } from './scenario.js';


/** Why the dashboard cannot be benchmarked here, or undefined. Measured against berthd only: the host code is ours. */
export function dashboardUnsupported(target: BenchTarget): string | undefined {
  if (target.kind !== 'berth') return 'the dashboard is Berth\'s own host process (measured once, against berthd)';
  return dashboardPrerequisitesMissing();
}

export interface RunningDashboard {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startDashboardProcess(target: BenchTarget): Promise<RunningDashboard> {
  const { url, child } = await startDashboard(target.dockerHost);
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
