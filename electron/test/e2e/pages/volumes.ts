import type { Download, Locator, Page } from 'playwright-core';

/** The Volumes view in depth: a volume's drawer with its files, and the prune dialogs (volumes and images). */
export class VolumeBrowserPage {
  constructor(readonly page: Page) {}

  row(name: string): Locator {
    return this.page.locator(`[data-testid="volume-row"][data-name="${name}"]`);
  }

  async open(name: string): Promise<Locator> {
    await this.row(name).getByRole('button', { name, exact: true }).click();
    const drawer = this.page.getByRole('dialog', { name });
    await drawer.waitFor();
    return drawer;
  }

  files(drawer: Locator): Locator {
    return drawer.getByRole('table', { name: 'Files' });
  }

  fileRow(drawer: Locator, name: string): Locator {
    return this.files(drawer).locator(`[data-testid="file-row"][data-name="${name}"]`);
  }

  async enter(drawer: Locator, dir: string): Promise<void> {
    await this.files(drawer).getByRole('button', { name: dir, exact: true }).click();
  }

  async crumb(drawer: Locator, label: string): Promise<void> {
    await drawer.getByRole('navigation', { name: 'Path' }).getByRole('button', { name: label, exact: true }).click();
  }

  async download(drawer: Locator, file: string): Promise<Download> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.files(drawer).getByRole('button', { name: `Download ${file}`, exact: true }).click(),
    ]);
    return download;
  }

  async close(drawer: Locator): Promise<void> {
    await drawer.getByRole('button', { name: 'Close', exact: true }).click();
    await drawer.waitFor({ state: 'detached' });
  }
}

export class PruneDialogPage {
  constructor(readonly page: Page, readonly title: 'Prune unused volumes' | 'Prune images') {}

  get dialog(): Locator {
    return this.page.getByRole('dialog', { name: this.title });
  }

  async open(): Promise<void> {
    await this.page.getByRole('button', { name: 'Prune', exact: true }).click();
    await this.dialog.waitFor();
  }

  async choose(label: RegExp): Promise<void> {
    await this.dialog.getByRole('radio', { name: label }).check();
  }

  /** The names the dialog says would go. */
  async candidates(): Promise<string[]> {
    const list = this.dialog.getByRole('list', { name: /to delete$/ });
    if (!(await list.count())) return [];
    return list.locator('li').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-name') ?? ''));
  }

  summary(): Promise<string | null> {
    return this.dialog.getByTestId('prune-summary').textContent();
  }

  async confirm(): Promise<string> {
    await this.dialog.getByRole('button', { name: /^Delete \d+ / }).click();
    return (await this.dialog.getByTestId('prune-result').textContent()) ?? '';
  }

  removed(): Promise<string[]> {
    return this.dialog.getByRole('list', { name: /^Deleted / }).locator('li').allTextContents();
  }

  async done(): Promise<void> {
    await this.dialog.getByRole('button', { name: 'Done', exact: true }).click();
    await this.dialog.waitFor({ state: 'detached' });
  }
}
