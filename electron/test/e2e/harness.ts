// Starts what the dashboard e2e tests drive: the rig's registry and berthd, `berth dashboard` against berthd's
// socket (as a user would run it), and Debian's Chromium through playwright-core.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import {
  CHROMIUM, dashboardPrerequisitesMissing, pushTestImages, startBerthd, startDashboardProcess, startRegistry, stopByPid,
  type DashboardProcess, type PushedTestImages, type RunningBerthd, type TestRegistry,
} from '../../../scripts/src/testrig/index.js';


export interface Stack {
  registry: TestRegistry;
  images: PushedTestImages;
  berthd: RunningBerthd;
  dashboard: DashboardProcess;
  daemonJson: string;
  /** Berth's settings file the dashboard edits (a temp copy of ~/.berth/settings.json). */
  settingsFile: string;
  browser: BrowserContext;
  page: Page;
  shots: string;
  screenshot(name: string): Promise<void>;
  stop(): Promise<void>;
}

export const missingPrerequisites = dashboardPrerequisitesMissing;

/** Runs `berth dashboard --print-url` against berthd's socket and reads the URL from its first line of output. */
export function startDashboard(socket: string, extra: string[] = []): Promise<DashboardProcess> {
  return startDashboardProcess(`unix://${socket}`, extra);
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
