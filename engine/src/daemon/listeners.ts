import { promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type http from 'node:http';
import { Conflict, InvalidArgument } from '../base/errors.js';
import { markRawConnection } from '../api/raw-connections.js';

const DEFAULT_SOCKET = '/run/berth/berthd.sock';

/** `unix:///path` (or `unix://` for the default) → the socket path. Only unix sockets are served. */
export function socketPathFromHost(host: string): string {
  if (host.startsWith('unix://')) return host.slice('unix://'.length) || DEFAULT_SOCKET;
  if (host.startsWith('/')) return host;
  if (/^(tcp|http|https|fd|npipe|ssh):\/\//.test(host)) {
    throw new InvalidArgument(
      `cannot listen on ${host}: berthd serves the API on unix sockets only (a TCP listener would need TLS client certificates, which berthd does not offer yet); use -H unix:///path/to/berthd.sock`,
    );
  }
  throw new InvalidArgument(`invalid -H/--host value "${host}": expected unix:///path/to/socket`);
}

/** Resolves a group name to its gid from /etc/group, or undefined when there is no such group. */
async function groupId(name: string): Promise<number | undefined> {
  const groups = await fs.readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of groups.split('\n')) {
    const [gname, , gid] = line.split(':');
    if (gname === name && gid !== undefined) return Number.parseInt(gid, 10);
  }
  return undefined;
}

/** Fails if a live process already serves this path; removes a stale socket file left by a crash. */
async function claimSocketPath(socketPath: string): Promise<void> {
  const st = await fs.lstat(socketPath).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket()) {
    throw new Conflict(`cannot listen on ${socketPath}: the path exists and is not a socket; remove it or choose another -H`);
  }
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) {
    throw new Conflict(`cannot listen on ${socketPath}: another process is serving it (is another berthd or dockerd running?)`);
  }
  await fs.rm(socketPath, { force: true });
}

/**
 * Opens one unix socket (mode 0660, group `docker` when it exists, as dockerd does) and hands its connections to
 * the API's http.Server, so several -H listeners share one server. A `raw` listener's connections are marked, so
 * nothing is hidden from them (api/raw-connections.ts).
 */
export async function listenUnix(api: http.Server, socketPath: string, group: string, opts: { raw?: boolean } = {}): Promise<net.Server> {
  await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o755 });
  await claimSocketPath(socketPath);
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    if (opts.raw) markRawConnection(socket);
    api.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Conflict(`cannot listen on ${socketPath}: ${(err as Error).message}`, { cause: err })),
    );
    server.listen(socketPath, () => resolve());
  });
  await fs.chmod(socketPath, 0o660);
  const gid = await groupId(group);
  if (gid !== undefined) await fs.chown(socketPath, process.getuid?.() ?? 0, gid).catch(() => undefined);
  return server;
}

/**
 * Stops accepting on the socket and removes it. Open connections belong to the http.Server, which the API's
 * close() ends; waiting for them here would wait out every keep-alive.
 */
export async function closeListener(server: net.Server, socketPath: string): Promise<void> {
  server.close();
  await fs.rm(socketPath, { force: true });
}
