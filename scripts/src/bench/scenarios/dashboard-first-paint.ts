import type { Browser } from 'playwright-core';
import { dashboardUnsupported, launchChromium, openDashboard, startDashboardProcess } from '../dashboard.js';
import { defineScenario } from '../scenario.js';

/**
 * A user starting the dashboard: from spawning `berth dashboard` (a cold Node process: module loading, engine
 * connection, HTTP server) to the UI's navigation painted in a fresh headless Chromium tab. Chromium itself is
 * already running, as a user's browser would be. Goal (issue 7): < 1.5 s.
 */
export default defineScenario<{ browser: Browser }>({
  name: 'dashboard-first-paint',
  description: 'spawn `berth dashboard` → dashboard navigation painted in headless Chromium, ms',
  unit: 'ms',
  better: 'lower',
  defaultIterations: 5,
  unsupported: dashboardUnsupported,
  setup: async () => ({ browser: await launchChromium() }),
  async run({ browser }, target) {
    const start = process.hrtime.bigint();
    const dashboard = await startDashboardProcess(target);
    try {
      const page = await openDashboard(browser, dashboard.url);
      // The first paint that shows something: the engine status pill has its state.
      await page.getByRole('status', { name: /^Engine status: running/ }).waitFor();
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      await page.close();
      return ms;
    } finally {
      await dashboard.stop();
    }
  },
  teardown: async ({ browser }) => browser.close(),
});
