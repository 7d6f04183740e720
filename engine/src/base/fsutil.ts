import { randomBytes } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { InvalidArgument } from './errors.js';

/**
 * Writes a file so that a crash (kill -9, power cut) leaves either the old content or the new, never a torn file:
 * write a temp file beside it, fsync it, rename over the target, fsync the directory. `sync: false` leaves out both
 * fsyncs: still whole after a kill -9 (the rename), but a power cut may leave it torn or old, for a file whose
 * reader copes with that (each fsync can wait on every other writer's data on a busy disk).
 */
export async function atomicWriteFile(file: string, data: string | Uint8Array, mode = 0o644, opts: { sync?: boolean } = {}): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    if (opts.sync !== false) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  if (opts.sync !== false) await fsyncDir(dir);
}

export async function atomicWriteJson(file: string, value: unknown, mode = 0o644, opts: { sync?: boolean } = {}): Promise<void> {
  await atomicWriteFile(file, `${JSON.stringify(value)}\n`, mode, opts);
}

/** Reads JSON, or returns undefined when the file does not exist. */
export async function readJsonIfExists<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, fsConstants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Joins an untrusted relative path onto root lexically and refuses anything that would leave it (`..`, absolute
 * paths are taken as relative to root). Symlinks are not followed here: see resolveInRoot.
 */
export function safeJoin(root: string, untrusted: string): string {
  const cleaned = path.posix.normalize(`/${untrusted.replace(/\\/g, '/')}`);
  const joined = path.join(root, cleaned);
  const rel = path.relative(root, joined);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new InvalidArgument(`path ${JSON.stringify(untrusted)} escapes its root`);
  }
  return joined;
}

/**
 * Creates a directory (and parents) with `mode`, and sets `mode` on it when it existed already: the engine's own
 * stores are narrowed even when an older berthd made them wider.
 */
export async function ensureDirMode(dir: string, mode: number): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode });
  await fs.chmod(dir, mode);
}

/** Creates a directory (and parents) and returns whether it can be written, for start-up checks. */
export async function ensureWritableDir(dir: string, mode = 0o711): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode });
  await fs.access(dir, fsConstants.W_OK | fsConstants.X_OK);
}
