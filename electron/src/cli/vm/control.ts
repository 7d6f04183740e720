import { EventEmitter } from 'node:events';
import { existsSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { onJsonLines } from '../../host/json-lines.js';
import type { BerthPaths } from '../../host/paths.js';
import { connectSocket } from '../../host/vm/util.js';

/** The CLI talks to its background host process (`berth daemon`) over this socket, one JSON object per line. */
export function controlSocket(paths: BerthPaths, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? '\\\\.\\pipe\\berth_control' : path.join(paths.run, 'berth.sock');
}

/**
 * One request per connection. `start`, `restart` and `reset` stream `progress` messages, then `done`; `watch` streams
 * `vm` messages (the VmView) until the client closes; `status`, `usage` and `logs` answer once.
 */
export type ControlRequest =
  | { op: 'status' }
  | { op: 'start' }
  | { op: 'stop' }
  | { op: 'restart' }
  | { op: 'reset' }
  | { op: 'watch' }
  | { op: 'usage' }
  | { op: 'logs'; lines: number };
export type ControlMessage = Record<string, unknown> & { type: string };

/** Writes one message per line to a client. */
export type Reply = (msg: ControlMessage) => void;

/** `onClose` registers what to release when the client goes away (a `watch` subscription). */
export type ControlHandler = (req: ControlRequest, reply: Reply, end: () => void, onClose: (fn: () => void) => void) => void;

export function serveControl(socketPath: string, handle: ControlHandler): Promise<net.Server> {
  if (!socketPath.startsWith('\\\\') && existsSync(socketPath)) rmSync(socketPath);
  const server = net.createServer((sock) => {
    sock.on('error', () => undefined);
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      buf = '';
      let req: ControlRequest;
      try {
        req = JSON.parse(line) as ControlRequest;
      } catch {
        return sock.end(JSON.stringify({ type: 'error', message: 'bad request' }) + '\n');
      }
      handle(req, (msg) => !sock.destroyed && sock.write(JSON.stringify(msg) + '\n'), () => sock.end(), (fn) => sock.once('close', fn));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve(server));
  });
}

/** Sends one request; emits each message the daemon answers with, then 'end'. */
export class ControlClient extends EventEmitter<{ message: [ControlMessage]; end: [] }> {
  static connect(socketPath: string, timeoutMs = 2000): Promise<net.Socket> {
    return connectSocket(socketPath, timeoutMs, 'control socket timeout');
  }

  /** `onSent` runs once the request is written: work that may overlap with the daemon's answer. */
  static async request(
    socketPath: string,
    req: ControlRequest,
    onMessage: (m: ControlMessage) => void = () => undefined,
    onSent: () => void = () => undefined,
  ): Promise<ControlMessage[]> {
    const sock = await ControlClient.connect(socketPath);
    return new Promise((resolve, reject) => {
      const all: ControlMessage[] = [];
      ControlClient.readMessages(sock, (msg) => {
        all.push(msg);
        onMessage(msg);
      });
      sock.on('close', () => resolve(all));
      sock.on('error', reject);
      sock.write(JSON.stringify(req) + '\n', () => onSent());
    });
  }

  /** A request whose answers keep coming (`watch`): the socket, to destroy when done; `onClose` when it ends. */
  static async open(socketPath: string, req: ControlRequest, onMessage: (m: ControlMessage) => void, onClose: () => void): Promise<net.Socket> {
    const sock = await ControlClient.connect(socketPath);
    ControlClient.readMessages(sock, onMessage);
    sock.on('error', () => undefined);
    sock.on('close', onClose);
    sock.write(JSON.stringify(req) + '\n');
    return sock;
  }

  private static readMessages(sock: net.Socket, onMessage: (m: ControlMessage) => void): void {
    onJsonLines(sock, (obj) => onMessage(obj as ControlMessage));
  }
}
