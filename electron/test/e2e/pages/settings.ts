import type { Locator, Page } from 'playwright-core';

export class SettingsPage {
  constructor(readonly page: Page) {}

  async theme(t: 'Light' | 'Dark' | 'System'): Promise<void> {
    await this.page.getByRole('group', { name: 'Theme' }).getByRole('button', { name: t }).click();
  }

  get daemonJson(): Locator {
    return this.page.getByRole('textbox', { name: 'daemon.json', exact: true });
  }

  async saveDaemonJson(): Promise<void> {
    await this.page.getByRole('region', { name: /daemon\.json/ }).getByRole('button', { name: 'Save' }).click();
  }
}

export class VolumesPage {
  constructor(readonly page: Page) {}

  row(name: string): Locator {
    return this.page.locator(`[data-testid="volume-row"][data-name="${name}"]`);
  }

  async create(name: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New volume' }).click();
    const d = this.page.getByRole('dialog', { name: 'New volume' });
    await d.getByLabel('Name').fill(name);
    await d.getByRole('button', { name: 'Create' }).click();
  }

  async remove(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Delete volume ${name}` }).click();
    await this.page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  }
}
