/**
 * The sending end of fsutil's packet protocol, for `-o type=local` (`moby.filesync.v1.FileSend/DiffCopy`, where the
 * client is the receiver): a STAT per entry, depth-first with each directory's entries in byte order (the n-th
 * STAT has ID n), an empty STAT to end the listing; the client asks for regular files with REQ{ID}, gets DATA
 * chunks and an empty DATA as the end of each, and sends FIN when it has everything; berthd answers FIN and
 * half-closes. Modes go out as Go `os.FileMode`; a second path of a hard-linked file is a STAT naming the first.
 */
import { open, lstat, readdir, readlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import { codec } from './codec.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';
import { FILE_MODE, PACKET, type Packet, type Stat } from './fsutil-packets.js';
import type { CallStream } from './session-client.js';

const CHUNK = 32 << 10;

/** A POSIX stat's type and permission bits as a Go `os.FileMode`. */
export function goFileMode(st: Stats): number {
  let m = st.mode & 0o777;
  if (st.mode & 0o4000) m |= FILE_MODE.SETUID;
  if (st.mode & 0o2000) m |= FILE_MODE.SETGID;
  if (st.mode & 0o1000) m |= FILE_MODE.STICKY;
  if (st.isDirectory()) m |= FILE_MODE.DIR;
  else if (st.isSymbolicLink()) m |= FILE_MODE.SYMLINK;
  else if (st.isFIFO()) m |= FILE_MODE.PIPE;
  else if (st.isSocket()) m |= FILE_MODE.SOCKET;
  else if (st.isCharacterDevice()) m |= FILE_MODE.DEVICE | FILE_MODE.CHARDEV;
  else if (st.isBlockDevice()) m |= FILE_MODE.DEVICE;
  return m >>> 0;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export interface SendOptions {
  /** Bytes of file content sent so far. */
  onBytes?: (total: number) => void;
  signal?: AbortSignal;
}

/** Sends the tree under `root` on `call` (a DiffCopy stream whose peer is an fsutil receiver); resolves to the bytes sent. */
export async function sendDir(call: CallStream, root: string, o: SendOptions = {}): Promise<number> {
  const packets = codec<Packet>('fsutil.types.Packet');
  const files = new Map<number, string>();
  let bytes = 0;
  let failure: unknown;
  const write = async (p: Partial<Packet>): Promise<void> => {
    if (!call.write(packets.encode(p))) await call.drain();
  };
  const onAbort = (): void => call.cancel();
  o.signal?.addEventListener('abort', onAbort);

  let nextId = 0;
  const links = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir)).sort(byteOrder);
    for (const name of names) {
      const abs = path.join(dir, name);
      const rel = prefix + name;
      const st = await lstat(abs);
      const stat: Partial<Stat> = {
        path: rel,
        mode: goFileMode(st),
        uid: st.uid,
        gid: st.gid,
        size: st.isFile() ? st.size : 0,
        modTime: Math.floor(st.mtimeMs * 1e6),
      };
      if (st.isSymbolicLink()) stat.linkname = await readlink(abs);
      if (st.isCharacterDevice() || st.isBlockDevice()) {
        stat.devmajor = Math.floor(st.rdev / 256) & 0xfff;
        stat.devminor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
      }
      const id = nextId++;
      if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first !== undefined) {
          stat.linkname = first;
          stat.size = 0;
        } else {
          if (st.nlink > 1) links.set(key, rel);
          files.set(id, abs);
        }
      }
      await write({ type: PACKET.STAT, stat: stat as Stat });
      if (st.isDirectory()) await walk(abs, `${rel}/`);
    }
  };

  // Files go one at a time in the order they were asked for: the client's disk writer is the slow side.
  let sending = Promise.resolve();
  const sendFile = async (id: number): Promise<void> => {
    const abs = files.get(id);
    if (abs === undefined) throw new GrpcError(GRPC_STATUS.INVALID_ARGUMENT, `invalid file id ${id}`);
    files.delete(id);
    const fh = await open(abs, 'r');
    try {
      const buf = Buffer.alloc(CHUNK);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        await write({ type: PACKET.DATA, ID: id, data: Buffer.from(buf.subarray(0, bytesRead)) });
        bytes += bytesRead;
        o.onBytes?.(bytes);
      }
    } finally {
      await fh.close();
    }
    await write({ type: PACKET.DATA, ID: id });
  };

  const listing = (async () => {
    await walk(root, '');
    await write({ type: PACKET.STAT });
  })().catch(async (err: unknown) => {
    failure ??= err;
    await write({ type: PACKET.ERR, data: Buffer.from(String((err as Error).message ?? err)) }).catch(() => undefined);
    call.end();
  });

  try {
    for await (const raw of call) {
      const p = packets.decode(raw);
      if (p.type === PACKET.REQ) {
        sending = sending.then(() => (failure ? undefined : sendFile(p.ID))).catch((err: unknown) => {
          failure ??= err;
          call.cancel();
        });
      } else if (p.type === PACKET.FIN) {
        await listing;
        await sending;
        await write({ type: PACKET.FIN });
        call.end();
      } else if (p.type === PACKET.ERR) {
        throw new GrpcError(GRPC_STATUS.UNKNOWN, `error from receiver: ${p.data.toString('utf8')}`);
      }
    }
    await listing;
    await sending;
    if (failure) throw failure;
    return bytes;
  } catch (err) {
    call.cancel();
    throw failure ?? err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}
