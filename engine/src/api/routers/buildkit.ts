/**
 * `POST /grpc` and `POST /session` (with or without a version prefix): the HTTP/1.1 upgrades to h2c through which
 * buildx reaches the engine's BuildKit, as dockerd answers them (101, then HTTP/2 on the same socket).
 */
import { Conflict, InvalidArgument } from '../../base/errors.js';
import type { BuildKitServer } from '../../buildkit/server.js';
import type { RequestContext, Router } from '../router.js';

const SWITCHING = 'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n';

function h2cUpgrade(ctx: RequestContext): NonNullable<RequestContext['upgrade']> {
  const up = ctx.upgrade;
  if (!up || String(ctx.req.headers.upgrade ?? '').toLowerCase() !== 'h2c') {
    throw new InvalidArgument('this endpoint expects an h2c upgrade request');
  }
  return up;
}

/** BuildKit is loaded at the first upgrade: gRPC and protobuf stay out of a daemon that never builds with it. */
export function registerBuildKitRoutes(router: Router, buildkitServer: () => Promise<BuildKitServer>): void {
  router.post('/grpc', async (ctx) => {
    const up = h2cUpgrade(ctx);
    const buildkit = await buildkitServer();
    up.socket.write(SWITCHING);
    buildkit.serveGrpc(up.socket, up.head);
  });

  router.post('/session', async (ctx) => {
    const up = h2cUpgrade(ctx);
    const buildkit = await buildkitServer();
    const id = String(ctx.req.headers['x-docker-expose-session-uuid'] ?? '');
    if (!id) throw new InvalidArgument('no session id');
    if (buildkit.sessions.has(id)) throw new Conflict(`session ${id} already exists`);
    const methods = (ctx.req.headersDistinct['x-docker-expose-session-grpc-method'] ?? []).flatMap((v) => v.split(',').map((m) => m.trim()));
    up.socket.write(SWITCHING);
    buildkit.serveSession(up.socket, up.head, id, methods.filter(Boolean));
  });
}
