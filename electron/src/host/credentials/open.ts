import type { BerthPaths } from '../paths.js';
import { CredentialIndex } from './credential-index.js';
import { OsKeychainStore } from './os-keychain.js';
import { RegistryCredentials } from './registry-credentials.js';

/** Berth's registry logins on this machine: the OS keychain plus the index in ~/.berth. */
export function openRegistryCredentials(paths: BerthPaths): RegistryCredentials {
  return new RegistryCredentials(new OsKeychainStore(), new CredentialIndex(paths.credentialIndex));
}
