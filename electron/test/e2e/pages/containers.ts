import type { Locator, Page } from 'playwright-core';

export class ContainersPage {
  constructor(readonly page: Page) {}

  row(name: string): Locator {
    return this.page.locator(`[data-testid="container-row"][data-name="${name}"]`);
  }

  async run(dialog: Locator, opts: { name: string; ports?: string; command?: string }): Promise<void> {
    await dialog.getByLabel('Container name').fill(opts.name);
    if (opts.ports) await dialog.getByLabel('Ports').fill(opts.ports);
    if (opts.command) await dialog.getByLabel('Command').fill(opts.command);
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
  }

  detail(name: string): Locator {
    return this.page.getByRole('region', { name: `Container ${name}` });
  }

  async tab(name: 'Logs' | 'Inspect' | 'Exec' | 'Stats' | 'Files'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  /** A line of the exec terminal whose whole text is `text` (xterm draws each row as its own element). */
  terminalLine(text: string): Locator {
    return this.page.getByTestId('terminal').locator('.xterm-rows > div').filter({ hasText: new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) });
  }

  get logLines(): Locator {
    return this.page.getByRole('log', { name: 'Container logs' }).getByTestId('log-line');
  }

  async action(name: string, action: 'Stop' | 'Start' | 'Delete' | 'Restart' | 'Pause' | 'Resume'): Promise<void> {
    await this.page.getByRole('button', { name: `${action} ${name}`, exact: true }).click();
  }
}
