import type { RegistryCredentials } from './registry-credentials.js';
import { DOCKER_HUB_KEY } from './server-url.js';

/** The credential key of an image reference's registry, as the docker CLI picks it (Docker Hub's legacy URL). */
export function registryKeyOfImage(ref: string): string {
  const slash = ref.indexOf('/');
  const first = slash < 0 ? '' : ref.slice(0, slash);
  // Like the reference grammar: a first component with a dot or a port, or `localhost`, names a registry.
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost') && first !== 'docker.io' && first !== 'index.docker.io') return first;
  return DOCKER_HUB_KEY;
}

export interface EngineAuthConfig {
  username: string;
  password: string;
  serveraddress: string;
}

/** What the dashboard sends as X-Registry-Auth for a pull or push of `ref`: Berth's login for its registry, if any. */
export async function authConfigForImage(credentials: RegistryCredentials | undefined, ref: string): Promise<EngineAuthConfig | undefined> {
  if (!credentials) return undefined;
  const key = registryKeyOfImage(ref);
  const found = await credentials.find(key);
  if (!found) return undefined;
  return found.username === '<token>'
    ? ({ identitytoken: found.secret, serveraddress: key } as unknown as EngineAuthConfig)
    : { username: found.username, password: found.secret, serveraddress: key };
}
