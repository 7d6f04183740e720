// Settings → "Show extension containers" is the engine's setting (berthd hides extension containers from `docker
// ps` and every plain list while it is off, as Docker Desktop does; engine/src/containers/extension-visibility.ts).
// Another Docker-API engine has no such setting: then the answer is undefined and the dashboard filters its own list.
import type Docker from 'dockerode';

const MISSING = Symbol('no such endpoint');

function dial(docker: Docker, method: 'GET' | 'POST', query: Record<string, string>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: '/berth/extension-containers?', method, options: { _query: query, _body: {} },
        statusCodes: { 200: true, 204: true, 400: 'bad request', 404: 'not found', 500: 'server error' },
      },
      (err: (Error & { statusCode?: number }) | null, data: unknown) => {
        if (err?.statusCode === 404) resolve(MISSING);
        else if (err) reject(err);
        else resolve(data);
      },
    );
  });
}

/** Sets the engine's setting when `show` is given; resolves with its value, or undefined when the engine has none. */
export async function extensionContainersShown(docker: Docker, show?: boolean): Promise<boolean | undefined> {
  if (show !== undefined && (await dial(docker, 'POST', { show: show ? '1' : '0' })) === MISSING) return undefined;
  const got = await dial(docker, 'GET', {});
  return got === MISSING ? undefined : (got as { Show?: unknown } | null)?.Show === true;
}
