// Every main view of the dashboard, in the light and the dark theme, checked by axe-core (WCAG 2.x A/AA and best
// practices: names of buttons, links and fields, ARIA, colour contrast, duplicate ids, nested controls, lists).
// Screenshots of each view in both themes go to the shots folder for reviewers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../../../scripts/src/testrig/index.js';
import { axeViolations, describeViolations } from './axe.js';
import { startStack, type Stack } from './harness.js';
import { ContainersPage } from './pages/containers.js';
import { ImagesPage } from './pages/images.js';
import { Shell } from './pages/shell.js';

const NAME = 'e2e-a11y';
const VOLUME = 'e2e-a11y-data';

describe('accessibility of every view, light and dark', () => {
  let stack: Stack;
  let shell: Shell;
  let ref: string;

  beforeAll(async () => {
    stack = await startStack();
    shell = new Shell(stack.page);
    ref = stack.images.busybox.reference;
    const on = { host: stack.berthd.dockerHost };
    const pulled = await docker(['pull', ref], on);
    if (pulled.code !== 0) throw new Error(pulled.stderr);
    const run = await docker(['run', '-d', '--name', NAME, '-p', '127.0.0.1::80', ref, 'sh', '-c', 'echo hello from a11y; exec sleep 3600'], on);
    if (run.code !== 0) throw new Error(run.stderr);
    const volume = await docker(['volume', 'create', VOLUME], on);
    if (volume.code !== 0) throw new Error(volume.stderr);
    await shell.open(stack.dashboard.url);
  });
  afterAll(async () => {
    if (stack) process.stdout.write(`dashboard screenshots: ${stack.shots}\n`);
    await stack?.stop();
  });

  for (const theme of ['light', 'dark'] as const) {
    it(`has no axe violations in the ${theme} theme`, async () => {
      const page = stack.page;
      // The theme setting defaults to "system": the emulated preference switches it live.
      await page.emulateMedia({ colorScheme: theme });
      await expect.poll(() => page.locator('html').getAttribute('data-theme')).toBe(theme);
      const found: string[] = [];
      const check = async (where: string, shot?: string) => {
        // Let transitions (tab underline, progress bars) settle so colours are the final ones.
        await page.waitForTimeout(250);
        found.push(...describeViolations(`${theme} ${where}`, await axeViolations(page)));
        if (shot) await stack.screenshot(`${theme}-${shot}`);
      };
      const containers = new ContainersPage(page);
      const images = new ImagesPage(page);

      await shell.go('Containers');
      await containers.row(NAME).waitFor();
      await check('containers', 'containers');
      await containers.action(NAME, 'Delete');
      await page.getByRole('dialog', { name: `Delete ${NAME}?` }).waitFor();
      await check('delete dialog', 'dialog-delete');
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

      await containers.row(NAME).getByRole('button', { name: NAME, exact: true }).click();
      const detail = containers.detail(NAME);
      await expect.poll(() => containers.logLines.count(), { timeout: 15_000 }).toBeGreaterThan(0);
      await check('container logs', 'container-logs');
      await containers.tab('Inspect');
      await detail.getByRole('definition').filter({ hasText: ref }).first().waitFor();
      await check('container inspect');
      await containers.tab('Exec');
      await detail.getByRole('button', { name: 'Open terminal' }).click();
      await page.keyboard.type('echo ready\n');
      await expect.poll(() => detail.getByTestId('terminal').textContent(), { timeout: 15_000 }).toContain('ready');
      await check('container exec', 'container-exec');
      await containers.tab('Stats');
      await detail.getByRole('group', { name: 'CPU' }).getByTestId('chart-value').filter({ hasText: '%' }).waitFor({ timeout: 15_000 });
      await check('container stats', 'container-stats');
      await containers.tab('Files');
      await detail.getByRole('table', { name: 'Files' }).getByRole('button', { name: 'etc', exact: true }).waitFor();
      await check('container files');
      await page.getByRole('button', { name: 'Back to containers' }).click();

      await shell.go('Images');
      await images.row(ref).waitFor();
      await check('images', 'images');
      const run = await images.openRun(ref);
      await run.waitFor();
      await check('run dialog', 'dialog-run');
      await run.getByRole('button', { name: 'Cancel' }).click();
      const drawer = await images.inspect(ref);
      await drawer.getByRole('definition').filter({ hasText: /^linux\// }).first().waitFor();
      await check('image inspect', 'image-inspect');
      await drawer.getByRole('tab', { name: /^Layers/ }).click();
      await drawer.getByRole('table', { name: 'Image layers' }).waitFor();
      await check('image layers');
      await drawer.getByRole('tab', { name: 'Raw JSON' }).click();
      await check('image raw JSON');
      await drawer.getByRole('button', { name: 'Close' }).click();

      await shell.go('Volumes');
      await page.getByRole('heading', { name: 'Volumes', exact: true }).waitFor();
      await page.locator(`[data-testid="volume-row"][data-name="${VOLUME}"]`).waitFor();
      await check('volumes', 'volumes');
      await page.getByRole('button', { name: 'New volume' }).click();
      await page.getByRole('dialog', { name: 'New volume' }).waitFor();
      await check('new volume dialog');
      await page.keyboard.press('Escape');

      await shell.go('Networks');
      await page.locator('[data-testid="network-row"][data-name="bridge"]').waitFor();
      await check('networks', 'networks');
      await page.getByRole('button', { name: 'bridge', exact: true }).click();
      await page.getByRole('dialog', { name: 'bridge' }).getByLabel('Network JSON').waitFor();
      await check('network inspect');
      await page.getByRole('dialog', { name: 'bridge' }).getByRole('button', { name: 'Close' }).click();

      await shell.go('Settings');
      await page.getByRole('textbox', { name: 'daemon.json', exact: true }).waitFor();
      await check('settings', 'settings');

      await shell.go('Troubleshoot');
      await page.getByTestId('engine-version').waitFor();
      await check('troubleshoot', 'troubleshoot');
      await shell.go('Containers');

      expect(found, found.join('\n')).toEqual([]);
    });
  }

  it('is usable with the keyboard alone: skip link, shortcuts, rows, drawer and dialog focus, focus rings', async () => {
    const page = stack.page;
    const focused = page.locator(':focus');
    const press = async (...keys: string[]) => { for (const k of keys) await page.keyboard.press(k); };
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();

    await press('Tab');
    expect(await focused.textContent()).toBe('Skip to main content');
    expect((await focused.boundingBox())!.y).toBeGreaterThanOrEqual(0);
    await press('Enter');
    expect(await focused.getAttribute('id')).toBe('main');

    await press('g', 'i');
    await page.getByRole('heading', { name: 'Images', exact: true }).waitFor();
    await new ImagesPage(page).row(ref).waitFor();
    await press('/');
    expect(await focused.getAttribute('aria-label')).toBe('Search images');
    await page.keyboard.type('busybox');
    await press('ArrowDown');
    expect(await focused.getAttribute('data-name')).toBe(ref);
    // The focus ring is drawn in both themes, in the accent colour.
    for (const theme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      const ring = await focused.evaluate((el) => { const s = el.ownerDocument.defaultView!.getComputedStyle(el); return [s.outlineStyle, s.outlineWidth, s.outlineColor]; });
      expect(ring.slice(0, 2), theme).toEqual(['solid', '2px']);
      await stack.screenshot(`${theme}-keyboard-row-focus`);
    }

    await press('Enter');
    const drawer = page.getByRole('dialog', { name: ref });
    await drawer.waitFor();
    const inDrawer = () => drawer.evaluate((d) => d.contains(d.ownerDocument.activeElement) || d.ownerDocument.activeElement?.outerHTML.slice(0, 120));
    await expect.poll(inDrawer).toBe(true);
    for (let i = 0; i < 8; i++) {
      expect(await inDrawer(), `after ${i} Tab`).toBe(true);
      await press('Tab');
    }
    await press('Escape');
    await drawer.waitFor({ state: 'detached' });
    expect(await focused.getAttribute('data-name')).toBe(ref);

    await press('Delete');
    const confirm = page.getByRole('dialog', { name: `Delete ${ref}?` });
    await confirm.waitFor();
    expect(await focused.textContent()).toBe('Cancel');
    await press('Escape');
    await confirm.waitFor({ state: 'detached' });
    expect(await focused.getAttribute('data-name')).toBe(ref);

    await press('g', 'c');
    await page.getByRole('heading', { name: 'Containers', exact: true }).waitFor();
    await press('/');
    await page.keyboard.type(NAME);
    await press('ArrowDown');
    expect(await focused.getAttribute('data-name')).toBe(NAME);
    await press('Space');
    expect(await page.getByRole('checkbox', { name: `Select ${NAME}` }).isChecked()).toBe(true);
    await press('Space');
    expect(await page.getByRole('checkbox', { name: `Select ${NAME}` }).isChecked()).toBe(false);
    await press('Enter');
    await page.getByRole('heading', { name: NAME, level: 1 }).waitFor();
    expect(await focused.textContent()).toBe(NAME);
    await press('Shift+Tab');
    expect(await focused.getAttribute('aria-label')).toBe('Back to containers');
    await press('Enter');
    await page.getByRole('table', { name: 'Containers' }).waitFor();
    expect(await focused.getAttribute('data-name')).toBe(NAME);
  });
});
