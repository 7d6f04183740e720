/** The key the docker CLI uses for Docker Hub (`docker login` with no server). */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

/**
 * The keychain account for a server URL as the docker CLI and other clients send it: `host:port` for most
 * registries, `https://index.docker.io/v1/` for Docker Hub, sometimes `https://host` or `host/`. Like the
 * credential helpers' own URL parsing, the scheme and trailing slashes do not make a different registry.
 */
export function credentialKey(serverURL: string): string {
  let s = serverURL.trim();
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  s = s.replace(/\/+$/, '');
  const slash = s.indexOf('/');
  const host = (slash < 0 ? s : s.slice(0, slash)).toLowerCase();
  return slash < 0 ? host : host + s.slice(slash);
}

/** The host[:port] part of a registry server URL (`index.docker.io` for Docker Hub). */
export function registryHost(serverURL: string): string {
  return credentialKey(serverURL).split('/')[0]!;
}
