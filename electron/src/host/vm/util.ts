import { existsSync, openSync, readFileSync, readSync, closeSync, fstatSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** Last lines of a (possibly large) log file, read from its end. */
export function tailFile(file: string, lines = 30, maxBytes = 64 * 1024): string {
  if (!existsSync(file)) return '';
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    return buf.toString('utf8').split(/\r?\n/).filter((l) => l.length > 0).slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A QEMU started by an earlier host process is not our child: once it exits it stays a zombie until init
  // reaps it, and a zombie still answers kill(pid, 0).
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
    } catch {
      return false;
    }
  }
  return true;
}

/** Finds an executable on PATH (plus extra dirs searched first, e.g. a QEMU bundled with the app). */
export function findExecutable(name: string, extraDirs: string[] = [], env = process.env): string | undefined {
  const exts = process.platform === 'win32' ? ['', '.exe'] : [''];
  for (const dir of [...extraDirs, ...(env.PATH ?? '').split(path.delimiter)]) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (dir && existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rejects after ms with the given message unless the promise settles first. */
export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Connects to a unix socket (or a Windows pipe); rejects with `timeoutMessage` if that takes over `timeoutMs`. */
export function connectSocket(socketPath: string, timeoutMs: number, timeoutMessage: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(timeoutMessage));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
