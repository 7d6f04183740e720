/**
 * Registry credentials asked of the client's session (`moby.filesync.v1.Auth/Credentials`), as BuildKit asks when
 * it pulls a base image: buildx answers from the docker CLI's credential store (credsStore, credHelpers, auths), so a
 * private `FROM` works with whatever `docker login` stored, and no secret travels with the build request.
 */
import type { AuthConfig } from '../registry/auth.js';
import { codec } from './codec.js';
import type { ClientSession } from './session-client.js';

const CREDENTIALS = '/moby.filesync.v1.Auth/Credentials';

/** The credentials the client holds for a registry domain (`docker.io`, `127.0.0.1:5000`), or undefined: anonymous. */
export async function sessionCredentials(session: ClientSession, domain: string): Promise<AuthConfig | undefined> {
  if (!session.supports(CREDENTIALS)) return undefined;
  // BuildKit asks with the host it talks to; buildx maps Docker Hub's back to the CLI's `https://index.docker.io/v1/`.
  const host = domain === 'docker.io' ? 'registry-1.docker.io' : domain;
  const reply = await session.unary(CREDENTIALS, codec('moby.filesync.v1.CredentialsRequest').encode({ Host: host }));
  const { Username: username, Secret: secret } = codec<{ Username?: string; Secret?: string }>('moby.filesync.v1.CredentialsResponse').decode(reply);
  if (!secret) return undefined;
  // No user name: the secret is an identity token (an OAuth refresh token from `docker login` to such a registry).
  return username ? { username, password: secret } : { identitytoken: secret };
}
