import { createRequire } from 'node:module';
import type * as KeyringApi from '@napi-rs/keyring';
import type { Entry as KeyringEntry, EntryOptions } from '@napi-rs/keyring';
import { KeychainUnavailable, type CredentialStore } from './credential-store.js';

/** The keychain item's service name: `secret-tool search service docker-credential-berth` finds Berth's items. */
export const KEYCHAIN_SERVICE = 'docker-credential-berth';

type KeyringModule = typeof KeyringApi;
let keyring: KeyringModule | undefined;

/** Loaded at first use: the credential helper's start-up time is what `docker pull` waits for. */
function loadKeyring(): KeyringModule {
  return (keyring ??= createRequire(import.meta.url)('@napi-rs/keyring') as KeyringModule);
}

export function keychainBackendName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return 'macos-keychain';
  if (platform === 'win32') return 'windows-credential-manager';
  return 'secret-service';
}

/**
 * The OS keychain through `@napi-rs/keyring` (prebuilt per platform): the macOS login keychain, Windows Credential
 * Manager, or the freedesktop Secret Service over the session D-Bus (gnome-keyring, KWallet). On Linux the store is
 * pinned to the Secret Service: the library would otherwise fall back to the kernel keyring, which forgets
 * everything at logout: no keychain must be an error the user sees, not a quiet substitute.
 */
export class OsKeychainStore implements CredentialStore {
  readonly backend: string;
  private readonly options: EntryOptions;

  constructor(
    private readonly service = KEYCHAIN_SERVICE,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.backend = keychainBackendName(platform);
    this.options = platform === 'linux' ? { linux: { store: 'secret-service' } } : {};
  }

  private entry(account: string): KeyringEntry {
    try {
      return new (loadKeyring().Entry)(this.service, account, this.options);
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  private unavailable(err: unknown): KeychainUnavailable {
    const message = (err instanceof Error ? err.message : String(err)).replace(/^Platform failure: /, '');
    return new KeychainUnavailable(this.backend, explain(message));
  }

  async set(account: string, secret: string): Promise<void> {
    const entry = this.entry(account);
    try {
      entry.setPassword(secret);
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  async get(account: string): Promise<string | undefined> {
    const entry = this.entry(account);
    try {
      return entry.getPassword() ?? undefined;
    } catch (err) {
      throw this.unavailable(err);
    }
  }

  async delete(account: string): Promise<boolean> {
    const entry = this.entry(account);
    try {
      return entry.deleteCredential();
    } catch (err) {
      throw this.unavailable(err);
    }
  }
}

/** The library's D-Bus wording, turned into what the user has to fix. */
function explain(message: string): string {
  if (/autolaunch|DBUS_SESSION_BUS_ADDRESS/.test(message)) return `no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set; ${message})`;
  if (/org\.freedesktop\.secrets|ServiceUnknown/.test(message)) return `no Secret Service (gnome-keyring or KWallet) on the session bus (${message})`;
  return message;
}
