// Berth's own settings (VM size, shares, registries, start at login) saved through the contract into the
// settings file the VM layer reads, and Troubleshoot's diagnostics bundle downloaded from the browser.
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVmSettings } from '../../src/host/vm/vm-settings.js';
import { splitEngineArgs } from '../../src/host/ui/settings-store.js';
import { startStack, type Stack } from './harness.js';
import { BerthSettingsPage, TroubleshootPage } from './pages/berth-settings.js';
import { Shell } from './pages/shell.js';


describe('settings and troubleshooting', () => {
  let stack: Stack;
  let shell: Shell;

  beforeAll(async () => {
    stack = await startStack();
    shell = new Shell(stack.page);
    await shell.open(stack.dashboard.url);
  });
  afterAll(async () => { await stack?.stop(); });

  it('validates, saves to the settings file the VM reads, and says the VM needs a restart', async () => {
    const settings = new BerthSettingsPage(stack.page);
    await shell.go('Settings');
    await settings.card.waitFor();
    expect(await settings.field('CPUs').inputValue()).toBe('2');
    expect(await settings.restartBanner.count()).toBe(0);

    await settings.field('CPUs').fill('64');
    const cpus = os.cpus().length;
    await settings.fieldError(`CPUs must be a whole number from 1 to ${cpus} (this computer has ${cpus}).`).waitFor();
    await settings.field('Registry mirrors').fill('ftp://mirror.local');
    await settings.fieldError('"ftp://mirror.local": a mirror must be an http:// or https:// URL').waitFor();
    expect(await settings.card.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    await stack.screenshot('settings-berth-invalid');

    await settings.field('CPUs').fill('1');
    await settings.field('Memory (MiB)').fill('1024');
    await settings.field('Shared folders').fill(os.tmpdir());
    await settings.field('Registry mirrors').fill('https://mirror.local');
    await settings.field('Insecure registries').fill('registry.local:5000\n10.20.0.0/16');
    await settings.startAtLogin.check();
    await settings.keepEngineOnQuit.check();
    await settings.save();
    await shell.toast('Saved settings').waitFor();
    await settings.restartBanner.waitFor();
    const banner = await settings.restartBanner.textContent();
    expect(banner).toContain('CPUs 2 → 1');
    expect(banner).toContain('memory 2048 MiB → 1024 MiB');
    expect(banner).toContain('berth restart');
    await settings.restartBanner.scrollIntoViewIfNeeded();
    await stack.screenshot('settings-berth-saved');

    const vm = loadVmSettings(stack.settingsFile, {});
    expect(vm).toMatchObject({ cpus: 1, memoryMiB: 1024, shares: [os.tmpdir()] });
    expect(splitEngineArgs(vm.engineArgs)).toEqual({ rest: [], registryMirrors: ['https://mirror.local'], insecureRegistries: ['registry.local:5000', '10.20.0.0/16'] });
    expect(JSON.parse(await readFile(stack.settingsFile, 'utf8'))).toMatchObject({ startAtLogin: true, keepEngineOnQuit: true });

    await stack.page.reload();
    await shell.go('Settings');
    await settings.card.waitFor();
    expect(await settings.field('CPUs').inputValue()).toBe('1');
    expect(await settings.startAtLogin.isChecked()).toBe(true);
    expect(await settings.keepEngineOnQuit.isChecked()).toBe(true);
    await settings.restartBanner.waitFor();
  });

  it('downloads a diagnostics bundle with versions, settings and logs, and no credentials', async () => {
    await writeFile(stack.daemonJson, JSON.stringify({ proxies: { 'http-proxy': 'http://ann:hunter2@proxy.local:3128' }, 'registry-token': 'tok-123456' }, null, 2));
    const troubleshoot = new TroubleshootPage(stack.page);
    await shell.go('Troubleshoot');
    const { name, text } = await troubleshoot.diagnostics();
    expect(name).toMatch(/^berth-diagnostics-.*\.txt$/);
    for (const heading of ['## Host', '## Engine version', '## Engine info', '## Berth settings', '## daemon.json', '## Engine log (last 500 lines)']) expect(text).toContain(heading);
    expect(text).toContain('"cpus": 1');
    expect(text).toContain('proxy.local:3128');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('tok-123456');
  });

  it('offers no factory reset where the dashboard does not manage the engine, and says why', async () => {
    const troubleshoot = new TroubleshootPage(stack.page);
    await stack.page.getByText('Not available here: this dashboard does not manage the engine.', { exact: false }).waitFor();
    expect(await troubleshoot.resetButton.isDisabled()).toBe(true);
    await stack.screenshot('troubleshoot-actions');
  });
});
