// `berth dashboard --print-url` as a user runs it, for the e2e tests and the UI benchmarks: the URL is its first line.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './paths.js';

export const BERTH_BIN = path.join(repoRoot, 'electron', 'bin', 'berth');

/** Debian's Chromium, which the e2e tests and UI benchmarks drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

/** What is missing to serve and open the dashboard here (Chromium, the built UI and CLI), or undefined. */
export function dashboardPrerequisitesMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} missing (apt-get install chromium; scripts/setup.sh does it)`;
  if (!existsSync(path.join(repoRoot, 'renderer', 'dist', 'index.html'))) return 'renderer not built (npm run build -w renderer)';
  if (!existsSync(path.join(repoRoot, 'electron', 'dist', 'cli', 'dashboard.js'))) return 'electron not built (npx tsc -b electron)';
  return undefined;
}

export interface DashboardProcess {
  url: string;
  pid: number;
  child: ChildProcess;
}

/**
 * Starts the dashboard against `engine` (`unix:///…`) and resolves with the URL it prints (20 s at most); `env`
 * (default this process's) is its environment, e.g. a BERTH_HOME of its own.
 */
export async function startDashboardProcess(engine: string, extra: string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<DashboardProcess> {
  const child = spawn(process.execPath, [BERTH_BIN, 'dashboard', '--engine', engine, '--print-url', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`berth dashboard exited (${code}): ${err}`)));
    setTimeout(() => reject(new Error(`berth dashboard printed no URL in 20 s: ${err}`)), 20_000).unref();
  });
  return { url, pid: child.pid!, child };
}
