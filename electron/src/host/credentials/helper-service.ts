// The running Berth host process answers `docker-credential-berth get` and `list` for the helper's launcher
// (bin/docker-credential-berth, a bash script), so the docker CLI does not wait for a Node start on every pull:
// a bash start and one loopback round trip instead. The secret is still read from the OS keychain on every request,
// never cached here. With no Berth running (no service file, or nobody on its port) the launcher runs the Node
// helper itself, which reads the keychain directly.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { writeFileAtomic } from '../atomic-file.js';
import type { BerthPaths } from '../paths.js';
import { runHelperAction } from './helper-protocol.js';
import type { RegistryCredentials } from './registry-credentials.js';

/**
 * `<run>/credential-helper`, mode 0600: `PORT TOKEN`, one line. The token is what makes a loopback TCP port (bash,
 * which the launcher is, speaks TCP through /dev/tcp but no unix sockets) as private as a 0600 socket: only the user
 * who can read this file can ask.
 */
export const helperServiceFile = (paths: Pick<BerthPaths, 'run'>) => path.join(paths.run, 'credential-helper');

/** The first reply line: `berth-credential-helper CODE`, then the helper's one stdout line. */
export const REPLY_HEADER = 'berth-credential-helper';

/** The read-only actions the docker CLI runs on pulls and builds; store and erase stay in the launcher's Node. */
export const SERVED_ACTIONS = new Set(['get', 'list']);

/** A request is a few lines; anything bigger or slower is not the launcher. */
const MAX_REQUEST_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 10_000;

export interface HelperService {
  port: number;
  file: string;
  /** Stops listening and removes the service file when it is still this service's. */
  close(): void;
}

interface Request {
  token: string;
  action: string;
  input: string;
}

/** `TOKEN\nACTION\nLENGTH\n` then LENGTH bytes of the helper's stdin; undefined while incomplete. */
export function parseRequest(buf: Buffer): Request | undefined | 'bad' {
  let pos = 0;
  const lines: string[] = [];
  while (lines.length < 3) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) return undefined;
    lines.push(buf.subarray(pos, nl).toString('utf8'));
    pos = nl + 1;
  }
  const [token, action, lengthText] = lines as [string, string, string];
  if (!/^\d{1,6}$/.test(lengthText)) return 'bad';
  const length = Number(lengthText);
  if (buf.length < pos + length) return undefined;
  if (buf.length > pos + length) return 'bad';
  return { token, action, input: buf.subarray(pos, pos + length).toString('utf8') };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Listens on 127.0.0.1 (a free port), then writes the service file: the launcher finds it from then on. */
export async function serveCredentialHelper(paths: Pick<BerthPaths, 'run'>, credentials: () => RegistryCredentials): Promise<HelperService> {
  const token = randomBytes(32).toString('hex');
  const server = net.createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const req = buf.length > MAX_REQUEST_BYTES ? 'bad' : parseRequest(buf);
      if (req === undefined) return;
      socket.removeAllListeners('data');
      // Closing without a reply sends the launcher to its Node fallback, which answers on its own.
      if (req === 'bad' || !sameToken(req.token, token) || !SERVED_ACTIONS.has(req.action)) return void socket.destroy();
      socket.setTimeout(0);
      void runHelperAction(req.action, req.input, credentials, '').then((res) => socket.end(`${REPLY_HEADER} ${res.code}\n${res.stdout}`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  const file = helperServiceFile(paths);
  const line = `${port} ${token}\n`;
  try {
    writeFileAtomic(file, line, 0o600);
  } catch (err) {
    server.close();
    throw err;
  }
  return {
    port,
    file,
    close() {
      server.close();
      // Another Berth process may have started its own service since: its file stays.
      try {
        if (readFileSync(file, 'utf8') === line) rmSync(file, { force: true });
      } catch {
        // already gone
      }
    },
  };
}
