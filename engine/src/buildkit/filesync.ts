/**
 * The receiving end of FileSync `DiffCopy` (fsutil's packet protocol): the client streams a STAT per entry
 * (depth-first, the n-th STAT has ID n, an empty STAT ends the listing), berthd asks for each regular file with
 * REQ{ID} and gets DATA chunks (an empty one is the end of that file), then FIN both ways. The entries are made by
 * `ReceivedTree`, under `dest` and never outside it.
 */
import type { ContextDigests } from '../build/context-digests.js';
import { PACKET } from './fsutil-packets.js';
import { decodePacket, FIN_PACKET, framedRequests } from './fsutil-wire.js';
import { GRPC_STATUS, GrpcError } from './grpc-frames.js';
import { ReceivedTree } from './received-tree.js';
import type { ClientSession, Metadata } from './session-client.js';

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

/** REQs waiting to go out together (one stream write) once the packets already received are handled. */
const REQ_BATCH_MAX = 512;

/**
 * Receives the session's local dir `dirName` into `dest` (which exists and is empty); resolves to the bytes
 * received. With `digests`, each file's content digest is recorded as it arrives.
 */
export async function receiveDir(session: Pick<ClientSession, 'call'>, dest: string, req: DiffCopyRequest, digests?: ContextDigests): Promise<number> {
  const call = session.call(DIFFCOPY_PATH, metadata(req));
  const abort = (): void => call.cancel();
  req.signal?.addEventListener('abort', abort);
  const tree = new ReceivedTree(dest, digests);
  let stats = 0;
  let listed = false;
  let finSent = false;
  let closed = false;
  // REQs are sent in batches: every STAT asks for its file, and a write per file was an HTTP/2 frame each.
  let reqs: number[] = [];
  let flushQueued = false;
  const flushReqs = (): void => {
    flushQueued = false;
    if (!reqs.length || closed) return;
    call.writeFrames(framedRequests(reqs));
    reqs = [];
  };
  const request = (id: number): void => {
    reqs.push(id);
    if (reqs.length >= REQ_BATCH_MAX) flushReqs();
    else if (!flushQueued) {
      flushQueued = true;
      // After the messages already queued have been handled (they are taken without waiting on I/O).
      setImmediate(flushReqs);
    }
  };
  const maybeFinish = (): void => {
    if (listed && tree.pending === 0 && !finSent) {
      flushReqs();
      finSent = true;
      call.write(FIN_PACKET);
    }
  };
  try {
    for await (const raw of call) {
      const p = decodePacket(raw);
      if (p.type === PACKET.STAT) {
        if (!p.stat || p.stat.path === '') {
          listed = true;
          flushReqs();
          maybeFinish();
          continue;
        }
        // IDs are implicit: the n-th STAT is entry n.
        const id = stats++;
        // Files and links are placed without I/O; only directories and symlinks are made now.
        const made = tree.entry(id, p.stat);
        if (made === true || (made !== false && (await made))) request(id);
      } else if (p.type === PACKET.DATA) {
        const before = tree.bytes;
        const room = tree.data(p.ID, p.data);
        if (room) await room;
        if (tree.bytes !== before) req.onBytes?.(tree.bytes);
        else maybeFinish();
      } else if (p.type === PACKET.FIN) {
        call.end();
      } else if (p.type === PACKET.ERR) {
        throw new GrpcError(GRPC_STATUS.UNKNOWN, `error from sender: ${p.data.toString('utf8')}`);
      }
    }
    if (!listed || tree.pending) throw new GrpcError(GRPC_STATUS.UNAVAILABLE, 'file transfer ended early');
    await tree.finish();
    return tree.bytes;
  } finally {
    closed = true;
    req.signal?.removeEventListener('abort', abort);
    await tree.settle();
    if (!finSent) call.cancel();
  }
}
