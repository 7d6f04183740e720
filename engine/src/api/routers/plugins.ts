import { InvalidArgument } from '../../base/errors.js';
import { Filters } from '../../base/filters.js';
import { boolParam } from '../../base/query.js';
import { parsePrivileges } from '../../plugins/privileges.js';
import { localName, parseRemote, type PluginService } from '../../plugins/service.js';
import { decodeRegistryAuth, type AuthConfig } from '../../registry/auth.js';
import type { RequestContext, Router } from '../router.js';
import { readBody, readJsonBody, sendJson, sendStatus } from '../respond.js';
import { streamProgress } from './images.js';

export type PluginsBackend = Pick<
  PluginService,
  'list' | 'inspect' | 'privileges' | 'pull' | 'create' | 'enable' | 'disable' | 'remove' | 'set' | 'push' | 'upgrade'
>;

function registryAuth(ctx: RequestContext): AuthConfig | undefined {
  const h = ctx.req.headers['x-registry-auth'];
  return decodeRegistryAuth(typeof h === 'string' ? h : undefined);
}

function remoteParam(ctx: RequestContext): string {
  const remote = ctx.query.get('remote') ?? '';
  if (remote === '') throw new InvalidArgument('invalid reference format');
  return remote;
}

/** The managed-plugin API (`docker plugin …`), answered as dockerd answers it. */
export function registerPluginRoutes(router: Router, backend: PluginsBackend): void {
  router.get('/plugins', (ctx) => {
    sendJson(ctx, 200, backend.list(Filters.parse(ctx.query.get('filters'))));
  });

  router.get('/plugins/privileges', async (ctx) => {
    sendJson(ctx, 200, await backend.privileges(remoteParam(ctx), registryAuth(ctx)));
  });

  router.post('/plugins/pull', async (ctx) => {
    const accepted = parsePrivileges(await readBody(ctx));
    const remote = parseRemote(remoteParam(ctx));
    const name = localName(remote, ctx.query.get('name') ?? '');
    // The CLI enables the plugin it installed under this name.
    ctx.res.setHeader('Docker-Plugin-Name', name);
    await streamProgress(ctx, (stream) => backend.pull(remote, name, registryAuth(ctx), accepted, (m) => stream.write({ ...m })));
  });

  router.post('/plugins/create', async (ctx) => {
    await backend.create(ctx.query.get('name') ?? '', ctx.req);
    sendStatus(ctx, 204);
  });

  router.get('/plugins/{name:.*}/json', (ctx) => {
    sendJson(ctx, 200, backend.inspect(ctx.params.name ?? ''));
  });

  router.post('/plugins/{name:.*}/enable', async (ctx) => {
    const timeout = ctx.query.get('timeout');
    if (timeout !== null && timeout !== '' && !/^-?\d+$/.test(timeout)) {
      throw new InvalidArgument(`strconv.Atoi: parsing ${JSON.stringify(timeout)}: invalid syntax`);
    }
    await backend.enable(ctx.params.name ?? '');
    sendStatus(ctx, 200);
  });

  router.post('/plugins/{name:.*}/disable', async (ctx) => {
    await backend.disable(ctx.params.name ?? '');
    sendStatus(ctx, 200);
  });

  router.post('/plugins/{name:.*}/set', async (ctx) => {
    const args = await readJsonBody<unknown>(ctx);
    if (args !== undefined && args !== null && (!Array.isArray(args) || args.some((a) => typeof a !== 'string'))) {
      throw new InvalidArgument('invalid JSON: json: cannot unmarshal into Go value of type []string');
    }
    await backend.set(ctx.params.name ?? '', (args as string[] | undefined | null) ?? []);
    sendStatus(ctx, 204);
  });

  router.post('/plugins/{name:.*}/push', async (ctx) => {
    await streamProgress(ctx, (stream) => backend.push(ctx.params.name ?? '', registryAuth(ctx), (m) => stream.write({ ...m })));
  });

  router.post('/plugins/{name:.*}/upgrade', async (ctx) => {
    const accepted = parsePrivileges(await readBody(ctx));
    const remote = parseRemote(remoteParam(ctx));
    await streamProgress(ctx, (stream) =>
      backend.upgrade(ctx.params.name ?? '', remote, registryAuth(ctx), accepted, (m) => stream.write({ ...m })),
    );
  });

  router.delete('/plugins/{name:.*}', async (ctx) => {
    await backend.remove(ctx.params.name ?? '', boolParam(ctx.query, 'force'));
    sendStatus(ctx, 200);
  });
}
