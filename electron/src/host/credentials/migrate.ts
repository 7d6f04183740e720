import type { DockerConfig } from '../toolchain/docker-config-file.js';
import type { DockerConfigSetup } from '../toolchain/docker-config-setup.js';
import type { RegistryCredentials } from './registry-credentials.js';

export interface PlainLogin {
  server: string;
  username: string;
  secret: string;
}

/** The secrets in config.json's `auths`, read as the docker CLI reads them (`auth` wins; `<token>` for identity tokens). */
export function plainLogins(config: DockerConfig): PlainLogin[] {
  const auths = (config.auths && typeof config.auths === 'object' ? config.auths : {}) as Record<string, Record<string, unknown>>;
  const out: PlainLogin[] = [];
  for (const [server, a] of Object.entries(auths)) {
    if (!a || typeof a !== 'object') continue;
    const str = (k: string) => (typeof a[k] === 'string' ? (a[k] as string) : '');
    let username = str('username');
    let password = str('password');
    if (str('auth')) {
      const decoded = Buffer.from(str('auth'), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        username = decoded.slice(0, colon);
        password = decoded.slice(colon + 1).replace(/\0+$/, '');
      }
    }
    const token = str('identitytoken');
    if (token) out.push({ server, username: '<token>', secret: token });
    else if (username && password) out.push({ server, username, secret: password });
  }
  return out;
}

/**
 * Moves the plain-text logins of config.json into the OS keychain (only when the user asked: `berth credentials
 * migrate` or the dashboard's prompt). All are stored first; only then does config.json lose the secrets (each entry
 * becomes the `{}` marker the CLI keeps for helper logins) and gain `credsStore: berth`. A keychain failure leaves
 * config.json untouched.
 */
export async function migratePlainLogins(setup: DockerConfigSetup, credentials: RegistryCredentials): Promise<string[]> {
  const logins = plainLogins(setup.file.read());
  for (const l of logins) await credentials.save(l.server, l.username, l.secret);
  setup.adoptLogins(logins.map((l) => l.server));
  return logins.map((l) => l.server);
}
