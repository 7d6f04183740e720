/**
 * `POST /auth` (docker login): checks credentials against the registry's `/v2/` with the same challenge flow a
 * pull uses. Docker Hub is `https://index.docker.io/v1/` or `docker.io` in `serveraddress`.
 */
import { InvalidArgument } from '../base/errors.js';
import { normaliseAuth, type AuthConfig } from './auth.js';
import { RepositoryClient } from './client.js';
import type { RegistryConfig } from './hosts.js';
import { DEFAULT_DOMAIN } from './reference.js';

export function registryDomain(serverAddress: string | undefined): string {
  const s = (serverAddress ?? '').trim();
  if (s === '' || /^(https?:\/\/)?(index\.)?docker\.io(\/v1\/?)?\/?$/.test(s)) return DEFAULT_DOMAIN;
  const host = s.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  if (host === '') throw new InvalidArgument(`invalid registry address: ${s}`);
  return host;
}

export async function checkLogin(config: RegistryConfig, body: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
  const auth = normaliseAuth(body);
  const domain = registryDomain(body.serveraddress);
  // The repository name only scopes tokens; /v2/ itself needs none beyond the login.
  const client = new RepositoryClient(domain, 'library/login-check', { config, auth });
  await client.ping();
  return { Status: 'Login Succeeded', IdentityToken: '' };
}
