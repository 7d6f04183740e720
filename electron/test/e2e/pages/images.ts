import type { Locator, Page } from 'playwright-core';

export class ImagesPage {
  constructor(readonly page: Page) {}

  row(name: string): Locator {
    return this.page.locator(`[data-testid="image-row"][data-name="${name}"]`);
  }

  pullCard(ref: string): Locator {
    return this.page.getByRole('region', { name: `pull ${ref}` });
  }

  async pull(ref: string): Promise<void> {
    await this.page.getByLabel('Image to pull').fill(ref);
    await this.page.getByRole('button', { name: 'Pull', exact: true }).click();
  }

  async inspect(name: string): Promise<Locator> {
    await this.page.getByRole('button', { name: `Inspect ${name}`, exact: true }).click();
    const drawer = this.page.getByRole('dialog', { name });
    await drawer.waitFor();
    return drawer;
  }

  async openRun(name: string): Promise<Locator> {
    await this.page.getByRole('button', { name: `Run ${name}`, exact: true }).click();
    return this.page.getByRole('dialog', { name: `Run ${name}` });
  }

  async remove(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Delete ${name}`, exact: true }).click();
    await this.page.getByRole('dialog').getByRole('button', { name: 'Delete', exact: true }).click();
  }
}
