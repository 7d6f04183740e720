/**
 * The client-side exporters: `-o type=local,dest=DIR` (and `-o DIR`) sends the built image's filesystem to the
 * client as fsutil packets, `-o type=tar,dest=FILE` as one tar stream of BytesMessages, both on the session's
 * `moby.filesync.v1.FileSend/DiffCopy` with the exporter's index in `buildkit-attachable-exporter-id` (how the
 * client picks the directory or file of that `-o`). Nothing is written on berthd's side but a temporary mount.
 */
import type { BuildService } from '../build/service.js';
import { upperDirTar } from '../images/diff-tar.js';
import { codec } from './codec.js';
import { sendDir } from './filesend.js';
import type { BuildProgress } from './progress.js';
import type { ClientSession } from './session-client.js';

const FILE_SEND = '/moby.filesync.v1.FileSend/DiffCopy';
const EXPORTER_ID_KEY = 'buildkit-attachable-exporter-id';
const TAR_CHUNK = 3 << 20;

export const CLIENT_EXPORTERS = new Set(['local', 'tar']);

export interface ClientExport {
  type: 'local' | 'tar';
  /** Position of this exporter in the request's list. */
  index: number;
  session: ClientSession;
  progress: BuildProgress;
  signal: AbortSignal;
}

function requireFileSend(session: ClientSession): void {
  if (!session.supports(FILE_SEND)) throw new Error(`method ${FILE_SEND.toLowerCase()} not supported by the client`);
}

export async function exportToClient(builds: BuildService, imageId: string, e: ClientExport): Promise<void> {
  requireFileSend(e.session);
  const v = e.progress.begin(e.type === 'local' ? 'exporting to client directory' : 'exporting to client tarball');
  const mounted = await builds.mountImage(imageId);
  try {
    const call = e.session.call(FILE_SEND, { [EXPORTER_ID_KEY]: String(e.index) });
    if (e.type === 'local') {
      const total = await sendDir(call, mounted.root, { signal: e.signal, onBytes: v.byteCounter('copying files') });
      v.status('copying files', total, 0, true);
    } else {
      await sendTar(call, mounted.root, e.signal);
      v.status('sending tarball', 0, 0, true);
    }
    v.end();
  } catch (err) {
    v.end(err);
    throw err;
  } finally {
    await mounted.dispose();
  }
}

async function sendTar(call: ReturnType<ClientSession['call']>, root: string, signal: AbortSignal): Promise<void> {
  const bytes = codec('moby.filesync.v1.BytesMessage');
  const onAbort = (): void => call.cancel();
  signal.addEventListener('abort', onAbort);
  try {
    for await (const chunk of upperDirTar(root) as AsyncIterable<Buffer>) {
      for (let off = 0; off < chunk.length; off += TAR_CHUNK) {
        if (!call.write(bytes.encode({ data: chunk.subarray(off, off + TAR_CHUNK) }))) await call.drain();
      }
    }
    call.end();
    // The client closes its side once the file is written; its status is the export's.
    for await (const _ of call) void _;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
