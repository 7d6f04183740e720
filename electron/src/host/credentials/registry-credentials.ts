import type { CredentialStore } from './credential-store.js';
import type { CredentialIndex, IndexEntry } from './credential-index.js';
import { credentialKey } from './server-url.js';

export interface RegistryCredential extends IndexEntry {
  secret: string;
}

/**
 * Registry logins: the secret in the OS keychain, the server and user name in Berth's index. The helper protocol,
 * `berth credentials` and Settings → Registries all go through this one class.
 */
export class RegistryCredentials {
  constructor(
    readonly store: CredentialStore,
    readonly index: CredentialIndex,
  ) {}

  list(): IndexEntry[] {
    return this.index.entries().sort((a, b) => a.serverURL.localeCompare(b.serverURL));
  }

  async save(serverURL: string, username: string, secret: string): Promise<void> {
    await this.store.set(credentialKey(serverURL), secret);
    this.index.put(serverURL, username);
  }

  /** Undefined when Berth has no login for the server (the keychain is not asked then). */
  async find(serverURL: string): Promise<RegistryCredential | undefined> {
    const entry = this.index.lookup(serverURL);
    if (!entry) return undefined;
    const secret = await this.store.get(credentialKey(serverURL));
    return secret === undefined ? undefined : { ...entry, secret };
  }

  /** False when there was no login for the server. */
  async erase(serverURL: string): Promise<boolean> {
    // The secret first: if the keychain refuses, the login stays whole and listed (the user can try again).
    const deleted = await this.store.delete(credentialKey(serverURL));
    const listed = this.index.remove(serverURL);
    return listed || deleted;
  }
}
