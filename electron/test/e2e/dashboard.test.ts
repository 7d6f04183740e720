// The dashboard in browser mode, driven by Chromium, against a real berthd with the rig's local registry. Every
// step asserts what berthd does now: an engine that does not answer fails the test, it is never a skip.
import Docker from 'dockerode';
import { readFile } from 'node:fs/promises';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../../../scripts/src/testrig/index.js';
import { startStack, type Stack } from './harness.js';
import { ContainersPage } from './pages/containers.js';
import { ImagesPage } from './pages/images.js';
import { SettingsPage, VolumesPage } from './pages/settings.js';
import { Shell } from './pages/shell.js';


/** Selects the shell's output line, copies it (Ctrl+Shift+C) and pastes it back three ways: Ctrl+Shift+V, the
 *  toolbar's Paste, and a plain browser paste event; each round trip is echoed by the shell. */
async function copyAndPasteInTerminal(stack: Stack, containers: ContainersPage, detail: Locator): Promise<void> {
  const page = stack.page;
  await stack.browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(stack.dashboard.url).origin });
  const terminal = detail.getByTestId('terminal');
  await containers.terminalLine('exec-42').dblclick({ position: { x: 12, y: 6 }, force: true });
  await page.keyboard.press('Control+Shift+C');
  await detail.getByRole('status').filter({ hasText: 'Copied 7 characters' }).waitFor();
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe('exec-42');

  await page.keyboard.type('echo keys-');
  await page.keyboard.press('Control+Shift+V');
  await expect.poll(() => terminal.textContent()).toContain('echo keys-exec-42');
  await page.keyboard.press('Enter');
  await containers.terminalLine('keys-exec-42').waitFor({ timeout: 10_000 });

  await page.keyboard.type('echo button-');
  await detail.getByRole('group', { name: 'Clipboard' }).getByRole('button', { name: 'Paste' }).click();
  await expect.poll(() => terminal.textContent()).toContain('echo button-exec-42');
  await page.keyboard.press('Enter');
  await containers.terminalLine('button-exec-42').waitFor({ timeout: 10_000 });

  await page.keyboard.type('echo native-');
  await terminal.locator('textarea').evaluate((area, text) => {
    const win = area.ownerDocument.defaultView!;
    const data = new win.DataTransfer();
    data.setData('text/plain', text);
    area.dispatchEvent(new win.ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, 'exec-42');
  await expect.poll(() => terminal.textContent()).toContain('echo native-exec-42');
  await page.keyboard.press('Enter');
  await containers.terminalLine('native-exec-42').waitFor({ timeout: 10_000 });
}

describe('dashboard in browser mode', () => {
  let stack: Stack;
  let shell: Shell;
  let images: ImagesPage;
  let ref: string;

  beforeAll(async () => {
    stack = await startStack();
    shell = new Shell(stack.page);
    images = new ImagesPage(stack.page);
    ref = stack.images.busybox.reference;
    await shell.open(stack.dashboard.url);
  });
  afterAll(async () => {
    if (stack) process.stdout.write(`dashboard screenshots: ${stack.shots}\n`);
    await stack?.stop();
  });

  it('shows the engine running, with what the engine reports about itself', async () => {
    await expect.poll(() => shell.engineStatus.getAttribute('aria-label')).toBe('Engine status: running');
    const version = await new Docker({ socketPath: stack.berthd.socket }).version();
    await shell.go('Troubleshoot');
    await expect.poll(() => stack.page.getByTestId('engine-version').textContent()).toBe(`${version.Version} (API ${version.ApiVersion})`);
    await stack.screenshot('troubleshoot');
    await shell.go('Containers');
    await stack.page.getByRole('heading', { name: 'Containers', exact: true }).waitFor();
    await stack.screenshot('containers-empty');
  });

  it('pulls an image with per-layer progress and lists it', async () => {
    await shell.go('Images');
    await images.pull(ref);
    const card = images.pullCard(ref);
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 60_000 }).toBe('done');
    expect(await card.textContent()).toContain('1 layer');
    expect(await card.getByRole('progressbar', { name: `${ref} overall progress` }).getAttribute('aria-valuenow')).toBe('100');
    await images.row(ref).waitFor();
    expect(await images.row(ref).textContent()).toMatch(/MB|kB/);
    await shell.toast(`Pulled ${ref}`).waitFor();
    await stack.screenshot('images-pulled');
  });

  it('inspects an image: overview, layers and raw JSON', async () => {
    const drawer = await images.inspect(ref);
    await drawer.getByRole('definition').filter({ hasText: 'linux/amd64' }).or(drawer.getByRole('definition').filter({ hasText: /^linux\// })).first().waitFor();
    await stack.screenshot('image-inspect');
    await drawer.getByRole('tab', { name: /^Layers/ }).click();
    await drawer.getByRole('table', { name: 'Image layers' }).waitFor();
    await drawer.getByRole('tab', { name: 'Raw JSON' }).click();
    expect(await drawer.getByLabel('Raw image JSON').textContent()).toContain('"RootFS"');
    await drawer.getByRole('button', { name: 'Close' }).click();
  });

  it('reflects changes made with the docker CLI, without reloading', async () => {
    const alias = `${stack.registry.host}/berth-test/alias:e2e`;
    const tagged = await docker(['tag', ref, alias], { host: stack.berthd.dockerHost });
    expect(tagged.code, tagged.stderr).toBe(0);
    await images.row(alias).waitFor({ timeout: 5_000 });
    const removed = await docker(['rmi', alias], { host: stack.berthd.dockerHost });
    expect(removed.code, removed.stderr).toBe(0);
    await images.row(alias).waitFor({ state: 'detached', timeout: 5_000 });
  });

  it('runs a container from the Run dialog, shows its logs and terminal, stops and deletes it', async () => {
    const containers = new ContainersPage(stack.page);
    const dialog = await images.openRun(ref);
    await stack.screenshot('run-dialog');
    await containers.run(dialog, { name: 'e2e-ticker', ports: '18080:80', command: `sh -c 'i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done'` });
    const detail = containers.detail('e2e-ticker');
    await detail.waitFor();
    await expect.poll(() => detail.getByTestId('container-state').textContent(), { timeout: 30_000 }).toBe('running');

    await expect.poll(() => containers.logLines.count(), { timeout: 15_000 }).toBeGreaterThan(3);
    expect(await containers.logLines.first().textContent()).toMatch(/^tick \d+/);
    await stack.screenshot('container-logs');

    await containers.tab('Inspect');
    await detail.getByRole('definition').filter({ hasText: ref }).first().waitFor();
    await containers.tab('Exec');
    await detail.getByRole('button', { name: 'Open terminal' }).click();
    await stack.page.keyboard.type('echo exec-$((6*7))\n');
    await expect.poll(() => detail.getByTestId('terminal').textContent(), { timeout: 15_000 }).toContain('exec-42');
    await copyAndPasteInTerminal(stack, containers, detail);
    await stack.screenshot('container-exec');

    await stack.page.getByRole('button', { name: 'Back to containers' }).click();
    await containers.row('e2e-ticker').waitFor();
    await stack.screenshot('containers');
    await containers.action('e2e-ticker', 'Stop');
    await expect.poll(() => containers.row('e2e-ticker').getAttribute('data-state'), { timeout: 30_000 }).toBe('exited');
    await containers.action('e2e-ticker', 'Delete');
    await shell.confirm('Delete');
    await containers.row('e2e-ticker').waitFor({ state: 'detached', timeout: 15_000 });
  });

  it('creates and deletes a volume', async () => {
    const volumes = new VolumesPage(stack.page);
    await shell.go('Volumes');
    await volumes.create('e2e-data');
    await volumes.row('e2e-data').waitFor();
    await stack.screenshot('volumes');
    await volumes.remove('e2e-data');
    await volumes.row('e2e-data').waitFor({ state: 'detached' });
  });

  it('changes settings: the theme sticks across reloads, daemon.json is validated before it is saved', async () => {
    const settings = new SettingsPage(stack.page);
    await shell.go('Settings');
    await settings.theme('Dark');
    await expect.poll(() => stack.page.locator('html').getAttribute('data-theme')).toBe('dark');
    await settings.daemonJson.fill('{"debug": "yes"}');
    await stack.page.getByRole('alert').filter({ hasText: '"debug" must be a boolean' }).waitFor();
    await stack.screenshot('settings-invalid');
    await settings.daemonJson.fill('{\n  "debug": true\n}');
    await stack.page.getByRole('alert').filter({ hasText: 'must be' }).waitFor({ state: 'detached' });
    await settings.saveDaemonJson();
    await shell.toast('Saved daemon.json').waitFor();
    expect(JSON.parse(await readFile(stack.daemonJson, 'utf8'))).toEqual({ debug: true });

    await stack.page.reload();
    await shell.go('Images');
    await images.row(ref).waitFor();
    expect(await stack.page.locator('html').getAttribute('data-theme')).toBe('dark');
    await stack.screenshot('images-dark');
    await shell.go('Settings');
    await settings.theme('Light');
  });

  it('removes an image after asking', async () => {
    await shell.go('Images');
    await images.remove(ref);
    await images.row(ref).waitFor({ state: 'detached' });
    await stack.page.getByText('No images yet').waitFor();
  });
});
