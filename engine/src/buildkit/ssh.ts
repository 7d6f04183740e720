/**
 * `--ssh ID` agent forwarding (`moby.sshforward.v1.SSH`): for a `RUN --mount=type=ssh` step berthd listens on a unix
 * socket that is bind-mounted into the step's container, and relays each connection made to it as one
 * `ForwardAgent` stream of raw agent-protocol bytes to the client's agent, which never leaves the client's machine.
 */
import { chmod, chown } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { codec } from './codec.js';
import type { CallStream, ClientSession } from './session-client.js';

const CHECK_AGENT = '/moby.sshforward.v1.SSH/CheckAgent';
const FORWARD_AGENT = '/moby.sshforward.v1.SSH/ForwardAgent';
/** The metadata key naming which of the client's `--ssh` entries a stream is for. */
const SSH_ID_KEY = 'buildkit.ssh.id';

export interface AgentSocketOptions {
  /** Permission bits of the socket, as the mount's `mode=` (BuildKit's default 0600). */
  mode: number;
  uid: number;
  gid: number;
}

export interface AgentSocket {
  /** The socket's path on the host, for a bind mount. */
  path: string;
  close(): Promise<void>;
}

/** Whether the client forwards an agent under `id` (`--ssh id[=…]`). */
export async function hasAgent(session: ClientSession, id: string): Promise<boolean> {
  if (!session.supports(CHECK_AGENT)) return false;
  try {
    await session.unary(CHECK_AGENT, codec('moby.sshforward.v1.CheckAgentRequest').encode({ ID: id }));
    return true;
  } catch {
    // The client answers "unset ssh forward key ID" for an id it was not given.
    return false;
  }
}

/** A socket in `dir` relaying to the client's agent `id`, or undefined when the client has no such agent. */
export async function agentSocket(session: ClientSession, id: string, dir: string, o: AgentSocketOptions): Promise<AgentSocket | undefined> {
  if (!(await hasAgent(session, id))) return undefined;
  const bytes = codec<{ data: Buffer }>('moby.filesync.v1.BytesMessage');
  const relays = new Set<{ conn: net.Socket; call: CallStream }>();
  const server = net.createServer((conn) => {
    let call: CallStream;
    try {
      call = session.call(FORWARD_AGENT, { [SSH_ID_KEY]: id });
    } catch {
      conn.destroy();
      return;
    }
    const relay = { conn, call };
    relays.add(relay);
    conn.on('error', () => call.cancel());
    conn.on('data', (chunk: Buffer) => {
      if (!call.write(bytes.encode({ data: chunk }))) {
        conn.pause();
        void call.drain().then(() => conn.resume());
      }
    });
    conn.on('end', () => call.end());
    conn.on('close', () => relays.delete(relay));
    void (async () => {
      try {
        for await (const m of call) if (!conn.destroyed) conn.write(bytes.decode(m).data);
        conn.end();
      } catch {
        conn.destroy();
      }
    })();
  });
  server.on('error', () => undefined);
  const socketPath = path.join(dir, 'agent.sock');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(socketPath, o.mode);
  if (o.uid || o.gid) await chown(socketPath, o.uid, o.gid);
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of relays) {
          r.call.cancel();
          r.conn.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
