import type { Locator, Page } from 'playwright-core';

export class NetworksPage {
  constructor(readonly page: Page) {}

  row(name: string): Locator {
    return this.page.locator(`[data-testid="network-row"][data-name="${name}"]`);
  }

  async create(name: string, subnet?: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New network' }).click();
    const d = this.page.getByRole('dialog', { name: 'New network' });
    await d.getByLabel('Name').fill(name);
    if (subnet) await d.getByLabel('Subnet').fill(subnet);
    await d.getByRole('button', { name: 'Create' }).click();
  }

  /** Opens the inspect drawer and answers the raw JSON it shows. */
  async inspect(name: string): Promise<string> {
    await this.row(name).getByRole('button', { name, exact: true }).click();
    const json = this.page.getByRole('dialog', { name }).getByLabel('Network JSON');
    await json.waitFor();
    return (await json.textContent()) ?? '';
  }

  async closeDrawer(name: string): Promise<void> {
    await this.page.getByRole('dialog', { name }).getByRole('button', { name: 'Close' }).click();
  }

  async remove(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Delete network ${name}` }).click();
    await this.page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  }
}
