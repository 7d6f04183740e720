import { PassThrough } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { InvalidArgument, errorMessage } from '../../base/errors.js';
import { versionAtLeast } from '../../base/version.js';
import type { PreparedSession, StreamClient } from '../../containers/attach.js';
import type { RequestContext } from '../router.js';

/** `ws` (with zlib and TLS) loads at the first WebSocket attach: an idle engine does without it. */
let server: Promise<WebSocketServer> | undefined;
function wsServer(): Promise<WebSocketServer> {
  server ??= import('ws').then(({ WebSocketServer: Server }) => new Server({ noServer: true, perMessageDeflate: false }));
  return server;
}
/** Above this much unsent output, wait for the socket to catch up. */
const HIGH_WATER = 1 << 20;

/**
 * `GET /containers/{id}/attach/ws`: RFC 6455, output unframed (stdout and stderr mixed), binary frames from API
 * 1.28 on and text before; every inbound message is stdin.
 */
export async function serveWebSocketAttach(ctx: RequestContext, session: PreparedSession): Promise<void> {
  const upgrade = ctx.upgrade;
  if (!upgrade || String(ctx.req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    throw new InvalidArgument('this endpoint expects a WebSocket upgrade request');
  }
  const wss = await wsServer();
  if (upgrade.socket.destroyed) return;
  const ws = await new Promise<WebSocket | undefined>((resolve) => {
    upgrade.socket.once('close', () => resolve(undefined));
    wss.handleUpgrade(ctx.req, upgrade.socket as never, upgrade.head, resolve);
  });
  if (!ws) return;
  const binary = versionAtLeast(ctx.apiVersion, '1.28');
  const input = new PassThrough();
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    input.write(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer));
  });
  ws.once('close', () => input.end());
  ws.on('error', () => undefined);
  const client: StreamClient = {
    input,
    signal: ctx.signal,
    write: (_stream, data) =>
      new Promise((resolve) => {
        if (ws.readyState !== ws.OPEN) return resolve();
        ws.send(data, { binary }, () => undefined);
        if (ws.bufferedAmount < HIGH_WATER) return resolve();
        // The callback of an empty ping fires once everything queued before it is flushed.
        ws.ping(Buffer.alloc(0), false, () => resolve());
      }),
  };
  try {
    await session.run(client);
  } catch (err) {
    ctx.log.warn({ path: ctx.path, err: errorMessage(err) }, 'websocket attach failed');
    // As on a hijacked stream: the client sees why its session ended.
    await client.write('stdout', Buffer.from(`${errorMessage(err)}\r\n`));
  } finally {
    ws.close(1000);
    setTimeout(() => ws.terminate(), 5_000).unref();
  }
}
