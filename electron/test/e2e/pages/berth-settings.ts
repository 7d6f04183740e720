import type { Locator, Page } from 'playwright-core';

/** The "Resources and registries" card of Settings. */
export class BerthSettingsPage {
  constructor(readonly page: Page) {}

  get card(): Locator {
    return this.page.getByRole('region', { name: 'Resources and registries' });
  }

  field(label: 'CPUs' | 'Memory (MiB)' | 'Disk size (GiB)' | 'Shared folders' | 'Registry mirrors' | 'Insecure registries'): Locator {
    return this.card.getByLabel(label, { exact: true });
  }

  fieldError(text: string): Locator {
    return this.card.getByRole('alert').filter({ hasText: text });
  }

  get startAtLogin(): Locator {
    return this.card.getByLabel('Start Berth when I log in');
  }

  get keepEngineOnQuit(): Locator {
    return this.card.getByLabel(/Keep the engine running when Berth quits/);
  }

  get restartBanner(): Locator {
    return this.card.getByRole('status', { name: 'Restart needed' });
  }

  async save(): Promise<void> {
    await this.card.getByRole('button', { name: 'Save settings' }).click();
  }
}

export class TroubleshootPage {
  constructor(readonly page: Page) {}

  /** Clicks "Collect diagnostics" and answers the downloaded bundle's name and text. */
  async diagnostics(): Promise<{ name: string; text: string }> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Collect diagnostics' }).click(),
    ]);
    const stream = await download.createReadStream();
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    return { name: download.suggestedFilename(), text };
  }

  get resetButton(): Locator {
    return this.page.getByRole('button', { name: 'Reset to factory defaults' });
  }
}
