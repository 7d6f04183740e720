import type { CredentialStore } from './credential-store.js';

/** Secrets in a Map: for unit tests of the code above the store (it passes the same conformance suite). */
export class MemoryCredentialStore implements CredentialStore {
  readonly backend = 'memory';
  private readonly secrets = new Map<string, string>();

  async set(account: string, secret: string): Promise<void> {
    this.secrets.set(account, secret);
  }

  async get(account: string): Promise<string | undefined> {
    return this.secrets.get(account);
  }

  async delete(account: string): Promise<boolean> {
    return this.secrets.delete(account);
  }
}
