// Docker Desktop extensions in the dashboard, timed as a user meets them (issue 15's goals): installing an
// extension whose image is already pulled until its tab is usable (≤ 1.5 s natively), and opening an installed
// extension's tab until its first ddClient call has resolved (≤ 300 ms). Headless Chromium drives the real
// dashboard (`berth dashboard`, a BERTH_HOME of its own) against the engine; the extension is the rig's UI-only
// fixture (a page calling ddClient.docker.listContainers and friends), pushed to a local registry and pulled first.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, FrameLocator, Page } from 'playwright-core';
import { docker, pushExtensionFixtures, startRegistry, type TestRegistry } from '../../testrig/index.js';
import { startDashboardProcess } from '../../testrig/dashboard.js';
import { stopByPid } from '../../testrig/processes.js';
import { bundledDockerBinary } from '../../testrig/toolchain.js';
import { dashboardUnsupported, launchChromium, type RunningDashboard } from '../dashboard.js';
import { defineScenario, type BenchTarget } from '../scenario.js';

const TITLE = 'Hello UI';

interface Ctx {
  registry: TestRegistry;
  home: string;
  dashboard: RunningDashboard;
  browser: Browser;
  page: Page;
  image: string;
  frame: FrameLocator;
}

async function setup(target: BenchTarget): Promise<Ctx> {
  const registry = await startRegistry();
  const home = await mkdtemp(path.join(os.tmpdir(), 'berth-bench-ext-'));
  try {
    const image = (await pushExtensionFixtures(registry)).ui;
    const pulled = await docker(['pull', '-q', image], { host: target.dockerHost });
    if (pulled.code !== 0) throw new Error(`docker pull ${image}: ${pulled.stderr}`);
    let cli: string | undefined;
    try { cli = bundledDockerBinary(); } catch { cli = undefined; }
    const env = { ...process.env, BERTH_HOME: home, ...(cli ? { BERTH_DOCKER_CLI: cli } : {}) };
    const { url, child } = await startDashboardProcess(target.dockerHost, [], env);
    const dashboard: RunningDashboard = { url, child, stop: async () => void (await stopByPid(child, 5_000)) };
    const browser = await launchChromium();
    // Set-up, not measured: a cold Chromium and dashboard on a loaded box can take longer than openDashboard waits.
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(dashboard.url);
    await page.getByRole('navigation', { name: 'Main' }).waitFor({ timeout: 120_000 });
    const frame = page.frameLocator(`iframe[data-extension="${image.replace(/:[^/:]+$/, '')}"]`);
    return { registry, home, dashboard, browser, page, image, frame };
  } catch (e) {
    await registry.stop();
    await rm(home, { recursive: true, force: true });
    throw e;
  }
}

async function teardown(ctx: Ctx): Promise<void> {
  await ctx.browser.close();
  await ctx.dashboard.stop();
  await ctx.registry.stop();
  await rm(ctx.home, { recursive: true, force: true });
}

const go = (page: Page, view: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: new RegExp(`^${view}`) }).click();
const tab = (page: Page) => page.getByRole('group', { name: 'Extension tabs' }).getByRole('button', { name: TITLE });

/** From the confirmation's Install click to the tab open with its page's script running. */
async function install(ctx: Ctx): Promise<number> {
  const { page } = ctx;
  await go(page, 'Extensions');
  await page.getByLabel('Install from image').fill(ctx.image);
  await page.getByRole('button', { name: 'Install', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: `Install ${ctx.image}` });
  const start = process.hrtime.bigint();
  await dialog.getByRole('button', { name: 'Install', exact: true }).click();
  await tab(page).click({ timeout: 60_000 });
  await ctx.frame.locator('li[data-key="ddclient"]').waitFor({ timeout: 30_000 });
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function remove(ctx: Ctx): Promise<void> {
  const { page } = ctx;
  await go(page, 'Extensions');
  const row = page.getByRole('table', { name: 'Installed extensions' }).locator('tbody tr').filter({ hasText: TITLE });
  await row.getByRole('button', { name: `Remove ${TITLE}` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
  await row.waitFor({ state: 'detached', timeout: 60_000 });
}

export const extensionInstallUi = defineScenario<Ctx>({
  name: 'extension-install-ui',
  description: 'dashboard: install an already-pulled UI-only extension → its tab open with ddClient ready, ms (goal ≤ 1500)',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 5,
  unsupported: dashboardUnsupported,
  setup,
  async run(ctx) {
    const ms = await install(ctx);
    await remove(ctx);
    return ms;
  },
  teardown,
});

export const extensionTabFirstCall = defineScenario<Ctx>({
  name: 'extension-tab-first-call',
  description: 'dashboard: click an installed extension\'s tab → its first ddClient call (docker.listContainers) resolved, ms (goal ≤ 300)',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 7,
  unsupported: dashboardUnsupported,
  setup: async (target) => {
    const ctx = await setup(target);
    await install(ctx);
    return ctx;
  },
  async run(ctx) {
    await go(ctx.page, 'Containers');
    await ctx.frame.locator('body').waitFor({ state: 'detached' }).catch(() => undefined);
    const start = process.hrtime.bigint();
    await tab(ctx.page).click();
    await ctx.frame.locator('li[data-key="containers"]').waitFor({ timeout: 30_000 });
    return Number(process.hrtime.bigint() - start) / 1e6;
  },
  teardown,
});
