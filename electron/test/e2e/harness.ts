// Starts what the dashboard e2e tests drive: the rig's registry and berthd, `berth dashboard` against berthd's
// socket (as a user would run it), and Debian's Chromium through playwright-core.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

/** Runs `berth dashboard --print-url` against berthd's socket and reads the URL from its first line of output. */
export function startDashboard(socket: string, extra: string[] = []): Promise<DashboardProcess> {
  const missing = dashboardPrerequisitesMissing();
  if (missing) return Promise.reject(new Error(`the dashboard e2e tests cannot run: ${missing}`));
  return startDashboardProcess(`unix://${socket}`, extra);
}

/**
 * The whole stack, or an error that fails the file: set-up provides Chromium and the builds, so a missing one is
 * a broken set-up, not a reason to skip (startDashboard says which); an engine that does not start fails the same way.
 */
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
