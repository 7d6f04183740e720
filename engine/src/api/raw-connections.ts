// Docker Desktop's VM serves the engine twice: the socket `docker ps` and the dashboard reach is filtered (its proxy
// hides extension backend containers unless Settings → "Show extension containers" is on), and
// `/var/run/docker.sock.raw` is the engine itself, which extensions bind-mount and on which they see everything,
// their own containers included. berthd serves both from one http.Server, so a connection accepted on a raw listener
// (`--raw-host`) is marked here and the filtering routes ask about the request's connection.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

const raw = new WeakSet<Socket>();

/** Marks a connection accepted on a raw listener. */
export function markRawConnection(socket: Socket): void {
  raw.add(socket);
}

/** Whether the request came in on a raw listener, so nothing is hidden from it. */
export function isRawRequest(req: IncomingMessage): boolean {
  return raw.has(req.socket);
}
