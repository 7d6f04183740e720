import { describe, expect, it } from 'vitest';
import { credentialKey, DOCKER_HUB_KEY, registryHost } from './server-url.js';

describe('credentialKey', () => {
  it('treats the scheme, case of the host and trailing slashes as the same registry', () => {
    expect(credentialKey('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(credentialKey('https://127.0.0.1:5000/')).toBe('127.0.0.1:5000');
    expect(credentialKey(' http://Registry.Example.COM:443 \n')).toBe('registry.example.com:443');
    expect(credentialKey(DOCKER_HUB_KEY)).toBe('index.docker.io/v1');
  });

  it('keeps the path, which names a different credential on some registries', () => {
    expect(credentialKey('https://ghcr.io/Org/')).toBe('ghcr.io/Org');
    expect(registryHost('https://ghcr.io/Org/')).toBe('ghcr.io');
  });
});
