import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { cpuSeconds, dashboardUnsupported, launchChromium, openDashboard, startDashboardProcess, type RunningDashboard } from '../dashboard.js';
import { defineScenario } from '../scenario.js';

const WINDOW_MS = 10_000;

/**
 * The host process while the dashboard is open on the Containers view and nothing changes: it must not poll
 * (goal ~0). One sample is the CPU the `berth dashboard` process used over 10 s, as milliseconds of CPU per second
 * of wall time (1000 = one core busy; /proc counts in 10 ms ticks, so 1 is the smallest non-zero figure).
 */
export default defineScenario<{ dashboard: RunningDashboard; browser: Browser }>({
  name: 'dashboard-idle-cpu',
  description: 'host process CPU with the dashboard open and nothing changing, ms of CPU per s',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 3,
  warmup: 0,
  unsupported: dashboardUnsupported,
  async setup(target) {
    const dashboard = await startDashboardProcess(target);
    const browser = await launchChromium();
    const page = await openDashboard(browser, dashboard.url);
    await page.getByRole('heading', { name: 'Containers', exact: true }).waitFor();
    await sleep(2_000); // first fetches and GC done
    return { dashboard, browser };
  },
  async run({ dashboard }) {
    const pid = dashboard.child.pid!;
    const before = await cpuSeconds(pid);
    await sleep(WINDOW_MS);
    return ((await cpuSeconds(pid)) - before) * 1000 / (WINDOW_MS / 1000);
  },
  async teardown({ dashboard, browser }) {
    await browser.close();
    await dashboard.stop();
  },
});
