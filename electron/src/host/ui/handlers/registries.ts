import type Docker from 'dockerode';
import type { RegistriesView } from '../../../shared/types.js';
import { migratePlainLogins } from '../../credentials/migrate.js';
import { DOCKER_HUB_KEY } from '../../credentials/server-url.js';
import { saveUseContextSetting, useContextSetting } from '../../toolchain/context-setting.js';
import { currentContextOf } from '../../toolchain/docker-config-setup.js';
import { plaintextLogins } from '../../toolchain/docker-config-file.js';
import { linkSystemTools, SystemDirNotWritable, systemLinksState, unlinkSystemTools } from '../../toolchain/system-links.js';
import type { HostRegistries, RequestHandlers } from './types.js';

type Requests = Pick<RequestHandlers, 'registries.list' | 'registries.signIn' | 'registries.signOut' | 'registries.migrate' | 'registries.useContext' | 'registries.systemLinks'>;

const notManaged = { code: 'not_implemented', message: 'This dashboard manages no registry logins.', hint: 'Berth keeps them when it runs with its own home (~/.berth).' };

/** The key the docker CLI uses: Docker Hub's legacy URL, else the bare host[:port]. */
export function serverKey(input: string): string {
  const s = input.trim().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return s === '' || /^(index\.|registry-1\.)?docker\.io(\/v1)?$/.test(s) ? DOCKER_HUB_KEY : s;
}

/** The engine's answer to a failed POST /auth, in words the user can act on. */
function signInError(server: string, err: unknown): { code: string; message: string; hint?: string } {
  const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
  const detail = e.json?.message ?? e.message ?? String(err);
  // The hint follows on the same line: the engine's words end in a full stop.
  const said = `${detail.replace(/[.\s]+$/, '')}.`;
  if (e.statusCode === 401 || /unauthorized|authentication required|incorrect username or password/i.test(detail)) {
    return { code: 'unauthorized', message: `Wrong user name or password for ${server}.`, hint: detail };
  }
  const insecure = `Settings → Resources and registries → Insecure registries`;
  if (/certificate|x509/i.test(detail)) {
    return {
      code: 'invalid',
      message: `The engine does not trust the TLS certificate of ${server}: ${said}`,
      hint: `If it is your registry with a self-signed or private certificate, add ${server} under ${insecure}, save (restart when Berth asks), then sign in again.`,
    };
  }
  if (/HTTP response to HTTPS client|tls:|ssl/i.test(detail)) {
    return {
      code: 'invalid',
      message: `TLS failure talking to ${server}: ${said}`,
      hint: `A registry served over plain HTTP must be added under ${insecure}; otherwise check that the address is the registry's HTTPS port.`,
    };
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|connect|unreachable|no such host|timeout/i.test(detail)) {
    return {
      code: 'internal',
      message: `Cannot reach ${server}: ${said}`,
      hint: 'Check the registry address and port, that the registry is running, and that the engine can reach it, then sign in again.',
    };
  }
  return { code: 'internal', message: `Sign-in to ${server} failed: ${said}` };
}

export function registryHandlers(docker: Docker, reg: HostRegistries | undefined): Requests {
  const need = (): HostRegistries => {
    if (!reg) throw notManaged;
    return reg;
  };
  const view = async (): Promise<RegistriesView> => {
    const r = need();
    let plaintext: string[] = [];
    let current = 'default';
    try {
      const config = r.dockerConfig.file.read();
      plaintext = config.credsStore === 'berth' ? [] : plaintextLogins(config);
      current = currentContextOf(config);
    } catch {
      // An unreadable config.json is reported by `berth start`; the list of logins still shows.
    }
    return {
      logins: r.credentials.list().map((e) => ({ server: e.serverURL, username: e.username })),
      plaintext,
      context: { current, useBerth: useContextSetting(r.settingsPath) },
      ...(r.systemLinks ? { systemLinks: { dir: r.systemLinks.dir, ...systemLinksState(r.systemLinks.paths, r.systemLinks.dir), left: [] } } : {}),
    };
  };
  return {
    'registries.list': view,
    async 'registries.signIn'({ server, username, password }) {
      const r = need();
      const key = serverKey(server);
      if (!username.trim() || !password) throw { code: 'invalid', message: 'A user name and a password (or access token) are needed.' };
      try {
        await docker.checkAuth({ username: username.trim(), password, serveraddress: key });
      } catch (err) {
        throw signInError(key, err);
      }
      await r.credentials.save(key, username.trim(), password);
      return view();
    },
    async 'registries.signOut'({ server }) {
      await need().credentials.erase(server);
      return view();
    },
    async 'registries.migrate'() {
      const r = need();
      await migratePlainLogins(r.dockerConfig, r.credentials);
      return view();
    },
    async 'registries.systemLinks'({ on }) {
      const s = need().systemLinks;
      if (!s) throw { code: 'not_implemented', message: 'This dashboard offers no system links.' };
      let left: string[] = [];
      try {
        if (on) {
          left = linkSystemTools({ paths: s.paths, dir: s.dir, ...(s.env ? { env: s.env } : {}) }).flatMap((o) => (o.state === 'foreign' ? [`${o.path}: ${o.what}`] : []));
        } else {
          unlinkSystemTools({ paths: s.paths, dir: s.dir, ...(s.env ? { env: s.env } : {}) });
        }
      } catch (err) {
        if (err instanceof SystemDirNotWritable) throw { code: 'invalid', message: err.message };
        throw { code: 'internal', message: (err as Error).message };
      }
      const v = await view();
      return { ...v, ...(v.systemLinks ? { systemLinks: { ...v.systemLinks, left } } : {}) };
    },
    async 'registries.useContext'({ on }) {
      const r = need();
      saveUseContextSetting(r.settingsPath, on);
      r.dockerConfig.setContextInUse(on);
      return view();
    },
  };
}
