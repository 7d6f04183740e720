/**
 * The receiving end of FileSync `DiffCopy` (fsutil's packet protocol): the client streams a STAT per entry
 * (depth-first, the n-th STAT has ID n, an empty STAT ends the listing), berthd asks for each regular file with
 * REQ{ID} and gets DATA chunks (an empty one is the end of that file), then FIN both ways. Entries are written under
 * `dest`, never outside it; modes arrive as Go `os.FileMode`.
 */
import { lstat, link, mkdir, open, symlink, utimes, chmod, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { codec } from './codec.js';
import { FILE_MODE as MODE, FILE_TYPE_BITS as TYPE_BITS, PACKET, type Packet, type Stat } from './fsutil-packets.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';
import type { ClientSession, Metadata } from './session-client.js';

/** Files written at once while receiving. */
const MAX_WRITING = 64;

export const DIFFCOPY_PATH = '/moby.filesync.v1.FileSync/DiffCopy';

export interface DiffCopyRequest {
  dirName: string;
  followPaths?: string[];
  includePatterns?: string[];
  excludePatterns?: string[];
  /** Bytes received so far, as they come (for the transfer status line). */
  onBytes?: (total: number) => void;
  signal?: AbortSignal;
}

/** fsutil metadata: one header field per value; values with non-ASCII characters are query-escaped. */
function metadata(req: DiffCopyRequest): Metadata {
  const md: Metadata = { 'dir-name': req.dirName };
  const put = (key: string, values: string[] | undefined): void => {
    if (!values?.length) return;
    if (values.some((v) => /[^\x20-\x7e]/.test(v))) {
      md[key] = values.map((v) => encodeURIComponent(v));
      md[`${key}-encoded`] = '1';
    } else md[key] = values;
  };
  put('followpaths', req.followPaths);
  put('include-patterns', req.includePatterns);
  put('exclude-patterns', req.excludePatterns);
  return md;
}

/** Go FileMode permission and special bits as a POSIX mode. */
function posixMode(mode: number): number {
  let m = mode & 0o777;
  if (mode & MODE.SETUID) m |= 0o4000;
  if (mode & MODE.SETGID) m |= 0o2000;
  if (mode & MODE.STICKY) m |= 0o1000;
  return m;
}

/** The entry's path under `dest`; as fsutil's receiver, only clean relative paths are taken (no `..`, no `//`). */
function inside(dest: string, rel: string): string {
  const clean = path.posix.normalize(`/${rel}`).slice(1);
  if (clean === '' || clean !== rel) throw new GrpcError(GRPC_STATUS.INVALID_ARGUMENT, `invalid path in file transfer: ${rel}`);
  return path.join(dest, clean);
}

/** Receives the session's local dir `dirName` into `dest` (which exists); resolves to the bytes received. */
export async function receiveDir(session: Pick<ClientSession, 'call'>, dest: string, req: DiffCopyRequest): Promise<number> {
  const packets = codec<Packet>('fsutil.types.Packet');
  const call = session.call(DIFFCOPY_PATH, metadata(req));
  const abort = (): void => call.cancel();
  req.signal?.addEventListener('abort', abort);
  const stats: Stat[] = [];
  // Each file's writes chain on its own promise and files are written side by side (up to MAX_WRITING at once):
  // awaiting every write of 20,000 small files in turn left the disk idle between them.
  const writing = new Map<number, Promise<FileHandle>>();
  const settling = new Set<Promise<void>>();
  const handles = new Set<FileHandle>();
  let writeError: unknown;
  const track = (p: Promise<unknown>): void => {
    const done: Promise<void> = p.then(
      () => void settling.delete(done),
      (err: unknown) => {
        settling.delete(done);
        writeError ??= err;
      },
    );
    settling.add(done);
  };
  const wanted = new Set<number>();
  const hardlinks: Array<[string, string]> = [];
  const dirs: Stat[] = [];
  let listed = false;
  let finSent = false;
  let bytes = 0;
  const send = (p: Partial<Packet>): void => void call.write(packets.encode(p));
  const maybeFinish = (): void => {
    if (listed && wanted.size === 0 && !finSent) {
      finSent = true;
      send({ type: PACKET.FIN });
    }
  };
  try {
    for await (const raw of call) {
      const p = packets.decode(raw);
      if (p.type === PACKET.STAT) {
        if (!p.stat || p.stat.path === '') {
          listed = true;
          maybeFinish();
          continue;
        }
        const id = stats.length;
        stats.push(p.stat);
        await placeEntry(dest, p.stat, id, { dirs, hardlinks, wanted, request: (n) => send({ type: PACKET.REQ, ID: n }) });
      } else if (p.type === PACKET.DATA) {
        if (writeError) throw writeError;
        const st = stats[p.ID];
        if (!st || !wanted.has(p.ID)) throw new GrpcError(GRPC_STATUS.INVALID_ARGUMENT, `file transfer: unexpected data for ${p.ID}`);
        let file = writing.get(p.ID);
        if (!file) {
          while (settling.size >= MAX_WRITING) await Promise.race(settling);
          file = open(inside(dest, st.path), 'w', posixMode(st.mode)).then((fh) => (handles.add(fh), fh));
          file.catch(() => undefined);
        }
        if (p.data.length) {
          const data = p.data;
          file = file.then(async (fh) => (await fh.write(data), fh));
          // Failures surface when the file ends (or the transfer does); never as an unhandled rejection meanwhile.
          file.catch(() => undefined);
          writing.set(p.ID, file);
          bytes += data.length;
          req.onBytes?.(bytes);
          continue;
        }
        writing.delete(p.ID);
        track(
          file.then(async (fh) => {
            await fh.chmod(posixMode(st.mode));
            if (st.modTime) await fh.utimes(new Date(Math.floor(st.modTime / 1e6)), new Date(Math.floor(st.modTime / 1e6)));
            handles.delete(fh);
            await fh.close();
          }),
        );
        wanted.delete(p.ID);
        maybeFinish();
      } else if (p.type === PACKET.FIN) {
        call.end();
      } else if (p.type === PACKET.ERR) {
        throw new GrpcError(GRPC_STATUS.UNKNOWN, `error from sender: ${p.data.toString('utf8')}`);
      }
    }
    if (!listed || wanted.size) throw new GrpcError(GRPC_STATUS.UNAVAILABLE, 'file transfer ended early');
    while (settling.size) await Promise.race(settling);
    if (writeError) throw writeError;
    for (const [to, from] of hardlinks) await link(inside(dest, from), inside(dest, to));
    // Directories last, deepest first, so writing their children did not move their times.
    for (const d of dirs.reverse()) {
      const full = inside(dest, d.path);
      await chmod(full, posixMode(d.mode));
      await setTime(full, d.modTime);
    }
    return bytes;
  } finally {
    req.signal?.removeEventListener('abort', abort);
    for (const p of writing.values()) track(p);
    while (settling.size) await Promise.race(settling);
    for (const fh of handles) await fh.close().catch(() => undefined);
    if (!finSent) call.cancel();
  }
}

interface PlaceState {
  dirs: Stat[];
  hardlinks: Array<[string, string]>;
  wanted: Set<number>;
  request(id: number): void;
}

async function placeEntry(dest: string, st: Stat, id: number, s: PlaceState): Promise<void> {
  const full = inside(dest, st.path);
  if (st.mode & MODE.DIR) {
    await mkdir(full, { recursive: true, mode: 0o700 });
    s.dirs.push(st);
  } else if (st.mode & MODE.SYMLINK) {
    await symlink(st.linkname, full);
  } else if (st.mode & TYPE_BITS) {
    // Pipes, sockets and devices have no content a build could use; dockerd's BuildKit skips sockets too.
    return;
  } else if (st.linkname) {
    s.hardlinks.push([st.path, st.linkname]);
  } else {
    // Empty files are requested too: the sender answers with the one empty DATA packet that ends a file.
    s.wanted.add(id);
    s.request(id);
  }
}

async function setTime(full: string, modTimeNs: number): Promise<void> {
  if (!modTimeNs) return;
  const t = new Date(Math.floor(modTimeNs / 1e6));
  const st = await lstat(full);
  if (!st.isSymbolicLink()) await utimes(full, t, t);
}
