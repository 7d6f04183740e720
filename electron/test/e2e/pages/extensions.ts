import type { FrameLocator, Locator, Page } from 'playwright-core';

/** The Extensions view (installed list, Install from image, catalog) and an extension's tab. */
export class ExtensionsPage {
  constructor(readonly page: Page) {}

  async installFromImage(image: string): Promise<Locator> {
    await this.page.getByLabel('Install from image').fill(image);
    await this.page.getByRole('button', { name: 'Install', exact: true }).click();
    return this.page.getByRole('dialog', { name: `Install ${image}` });
  }

  tab(title: string): Locator {
    return this.page.getByRole('group', { name: 'Extension tabs' }).getByRole('button', { name: title });
  }

  frame(id: string): FrameLocator {
    return this.page.frameLocator(`iframe[data-extension="${id}"]`);
  }

  /** The value a fixture extension's probe page printed for `key`. */
  async result(id: string, key: string): Promise<string> {
    const li = this.frame(id).locator(`li[data-key="${key}"]`);
    await li.waitFor({ timeout: 30_000 }).catch(async (e: Error) => {
      // Say what the page did show: the other results usually tell why this one is missing.
      const shown = await this.frame(id).locator('body').innerText({ timeout: 1_000 }).catch(() => '(no page)');
      throw new Error(`${e.message}\nthe extension page shows:\n${shown}`, { cause: e });
    });
    return ((await li.textContent()) ?? '').slice(key.length + 2);
  }

  row(title: string): Locator {
    return this.page.getByRole('table', { name: 'Installed extensions' }).locator('tbody tr').filter({ hasText: title });
  }
}
