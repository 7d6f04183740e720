import { describe } from 'vitest';
import { credentialStoreConformance } from './conformance.test-helper.js';
import { MemoryCredentialStore } from './memory-store.js';

describe('MemoryCredentialStore (CredentialStore conformance)', () => {
  const store = new MemoryCredentialStore();
  credentialStoreConformance(() => store);
});
