/**
 * Where registry secrets live: one implementation per OS keychain (macOS Keychain, Windows Credential Manager,
 * Linux Secret Service, all through `os-keychain.ts`) and an in-memory one for unit tests. One conformance suite
 * (`conformance.test-helper.ts`) runs against each. An `account` is a normalised registry key (`server-url.ts`); the
 * user names and the list of registries are not secrets and live in Berth's own index (`credential-index.ts`).
 */
export interface CredentialStore {
  /** `secret-service`, `macos-keychain`, `windows-credential-manager`, `memory`: named in errors and diagnostics. */
  readonly backend: string;
  /** Stores or replaces the secret of `account`. */
  set(account: string, secret: string): Promise<void>;
  /** The secret, or undefined when the store has none for `account`. */
  get(account: string): Promise<string | undefined>;
  /** True when a secret was there and is gone now; false when there was none. */
  delete(account: string): Promise<boolean>;
}

/**
 * The OS keychain cannot be reached (no Secret Service on the session bus, a locked keychain the user did not
 * unlock, …). Berth never falls back to keeping the secret anywhere else.
 */
export class KeychainUnavailable extends Error {
  constructor(backend: string, detail: string) {
    super(`the OS keychain (${backend}) is not reachable: ${detail}. Berth keeps registry credentials only in the OS keychain, never in plain text`);
    this.name = 'KeychainUnavailable';
  }
}
