import type { Locator, Page } from 'playwright-core';

/** The frame around every view: navigation, engine status, notifications. */
export class Shell {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.getByRole('navigation', { name: 'Main' }).waitFor();
  }

  go(view: 'Containers' | 'Images' | 'Volumes' | 'Networks' | 'Extensions' | 'Settings' | 'Troubleshoot'): Promise<void> {
    return this.page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: new RegExp(`^${view}`) }).click();
  }

  get engineStatus(): Locator {
    return this.page.getByRole('status', { name: /^Engine status/ });
  }

  toast(text: string | RegExp): Locator {
    return this.page.getByRole('region', { name: 'Notifications' }).getByText(text);
  }

  async confirm(button: string): Promise<void> {
    await this.page.getByRole('dialog').getByRole('button', { name: button, exact: true }).click();
  }
}
