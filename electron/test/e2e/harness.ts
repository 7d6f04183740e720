// Starts what the dashboard e2e tests drive: the rig's registry and berthd, `berth dashboard` against berthd's
// socket (as a user would run it), and Debian's Chromium through playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  pushTestImages, repoRoot, startBerthd, startRegistry, stopByPid,
  type PushedTestImages, type RunningBerthd, type TestRegistry,
} from '../../../scripts/src/testrig/index.js';

export const CHROMIUM = '/usr/bin/chromium';
const BERTH_BIN = path.join(repoRoot, 'electron', 'bin', 'berth');

export interface Stack {
  registry: TestRegistry;
  images: PushedTestImages;
  berthd: RunningBerthd;
  dashboard: { url: string; pid: number; child: ChildProcess };
  daemonJson: string;
  /** Berth's settings file the dashboard edits (a temp copy of ~/.berth/settings.json). */
  settingsFile: string;
  browser: BrowserContext;
  page: Page;
  shots: string;
  screenshot(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function missingPrerequisites(): string | undefined {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} missing (apt-get install chromium; scripts/setup.sh does it)`;
  if (!existsSync(path.join(repoRoot, 'renderer', 'dist', 'index.html'))) return 'renderer not built (npm run build -w renderer)';
  if (!existsSync(path.join(repoRoot, 'electron', 'dist', 'cli', 'dashboard.js'))) return 'electron not built (npx tsc -b electron)';
  return undefined;
}

/** Runs `berth dashboard --print-url` and reads the URL from its first line of output. */
export async function startDashboard(socket: string, extra: string[] = []): Promise<{ url: string; pid: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [BERTH_BIN, 'dashboard', '--engine', `unix://${socket}`, '--print-url', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** Whether the engine routes METHOD PATH at all (an unknown route answers 404 "page not found"). */
export function engineServes(socket: string, method: string, p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, method, path: p, headers: { 'Content-Type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(!(res.statusCode === 404 && body.includes('page not found'))));
    });
    req.on('error', () => resolve(false));
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

export async function startStack(): Promise<Stack> {
  const registry = await startRegistry();
  const stops: (() => Promise<unknown>)[] = [() => registry.stop()];
  const stopAll = async () => { for (const s of stops.reverse()) await s().catch(() => undefined); };
  try {
    const images = await pushTestImages(registry);
    const berthd = await startBerthd({ insecureRegistries: [registry.host] });
    stops.push(() => berthd.stop());
    const work = await mkdtemp(path.join(os.tmpdir(), 'berth-e2e-'));
    stops.push(() => rm(work, { recursive: true, force: true }));
    const daemonJson = path.join(work, 'daemon.json');
    await writeFile(daemonJson, '{}\n');
    const settingsFile = path.join(work, 'settings.json');
    const dashboard = await startDashboard(berthd.socket, ['--daemon-json', daemonJson, '--engine-log', berthd.logFile, '--settings', settingsFile]);
    stops.push(() => stopByPid(dashboard.child, 5_000));
    // Screenshots outlive the run on purpose: a reviewer looks at them (BERTH_E2E_SHOTS picks the folder).
    const shots = process.env.BERTH_E2E_SHOTS ?? (await mkdtemp(path.join(os.tmpdir(), 'berth-e2e-shots-')));
    await mkdir(shots, { recursive: true });
    const browser = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      viewport: { width: 1280, height: 800 },
    });
    stops.push(() => browser.close());
    const page = browser.pages()[0] ?? (await browser.newPage());
    return {
      registry, images, berthd, dashboard, daemonJson, settingsFile, browser, page, shots,
      screenshot: async (name) => { await page.screenshot({ path: path.join(shots, `${name}.png`) }); },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
