import Docker from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { dashboardUnsupported, launchChromium, openDashboard, startDashboardProcess, type RunningDashboard } from '../dashboard.js';
import { pulledInto } from '../fixtures.js';
import { defineScenario, type BenchScenario, type BenchTarget } from '../scenario.js';

const COUNT = 500;

interface Ctx {
  api: Docker;
  ids: string[];
  dashboard: RunningDashboard;
  browser: Browser;
  page: Page;
  round: number;
}

const rows = (page: Page) => page.locator('[data-testid="container-row"]');

/** 500 containers in `created` state (`--network none`), the dashboard open on them. */
async function setup(target: BenchTarget): Promise<Ctx> {
  const api = new Docker({ socketPath: target.socket });
  const ref = await pulledInto(target, 'busybox');
  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const c = await api.createContainer({ name: `bench-list-${i}`, Image: ref, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } });
    ids.push(c.id);
  }
  const dashboard = await startDashboardProcess(target);
  const browser = await launchChromium();
  const page = await openDashboard(browser, dashboard.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: /^Containers/ }).click();
  await rows(page).nth(COUNT - 1).waitFor();
  return { api, ids, dashboard, browser, page, round: 0 };
}

async function teardown(ctx: Ctx): Promise<void> {
  await ctx.browser.close();
  await ctx.dashboard.stop();
  for (const id of ctx.ids) await ctx.api.getContainer(id).remove({ force: true }).catch(() => undefined);
}

/** Page-side script (a string: scripts/ compiles without DOM types): clicks Containers, resolves with ms until all rows exist. */
function timeRenderInPage(count: number): string {
  return `new Promise((resolve) => {
    const button = [...document.querySelectorAll('nav[aria-label="Main"] button')].find((b) => b.textContent.startsWith('Containers'));
    const done = () => document.querySelectorAll('[data-testid="container-row"]').length >= ${count};
    const start = performance.now();
    const obs = new MutationObserver(() => { if (done()) { obs.disconnect(); resolve(performance.now() - start); } });
    obs.observe(document.body, { childList: true, subtree: true });
    button.click();
    if (done()) { obs.disconnect(); resolve(performance.now() - start); }
  })`;
}

const go = (page: Page, view: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: new RegExp(`^${view}`) }).click();

/**
 * Rendering the list: from clicking "Containers" (coming from Images, the rows already in the store) to all 500
 * rows in the DOM, timed inside the page so no browser round trip counts. Goal (issue 7): < 100 ms.
 */
export const containerList500Render: BenchScenario = defineScenario<Ctx>({
  name: 'container-list-500-render',
  description: `Containers view with ${COUNT} containers: click → all rows rendered (in-page time), ms`,
  unit: 'ms',
  better: 'lower',
  defaultIterations: 5,
  unsupported: dashboardUnsupported,
  setup,
  async run({ page }) {
    await go(page, 'Images');
    await page.getByRole('heading', { name: 'Images', exact: true }).waitFor();
    return page.evaluate<number>(timeRenderInPage(COUNT));
  },
  teardown,
});

/**
 * Re-rendering on an engine event: a container renamed through the API until its new name is in the list. The
 * path is engine event → host watcher → WebSocket → store gathers the burst (16 ms) → fetches that one row
 * (`containers.rows`) → patches it in → only that memoised row renders. Wall time from the API call.
 */
export const containerList500Event: BenchScenario = defineScenario<Ctx>({
  name: 'container-list-500-event',
  description: `${COUNT} containers listed: rename via the API → new name rendered, ms`,
  unit: 'ms',
  better: 'lower',
  defaultIterations: 5,
  unsupported: dashboardUnsupported,
  setup,
  async run(ctx) {
    const name = `bench-renamed-${ctx.round++}`;
    const start = process.hrtime.bigint();
    await ctx.api.getContainer(ctx.ids[0]!).rename({ name });
    await ctx.page.locator(`[data-testid="container-row"][data-name="${name}"]`).waitFor();
    return Number(process.hrtime.bigint() - start) / 1e6;
  },
  teardown,
});
