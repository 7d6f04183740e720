/**
 * A context the client streams itself (`docker build -` with a tarball on stdin): buildx names it
 * `http://buildkit-session/<id>` and serves it through its session's `moby.upload.v1.Upload/Pull`, a stream of
 * BytesMessage chunks that berthd reads as the tar the classic context reader already understands.
 */
import { Readable } from 'node:stream';
import { codec } from './codec.js';
import type { ClientSession } from './session-client.js';

export const SESSION_URL_HOST = 'buildkit-session';
const PULL_PATH = '/moby.upload.v1.Upload/Pull';

export function isSessionUpload(context: string | undefined): boolean {
  if (!context) return false;
  try {
    return new URL(context).host === SESSION_URL_HOST;
  } catch {
    return false;
  }
}

export function pullUpload(session: ClientSession, url: string): Readable {
  const u = new URL(url);
  const call = session.call(PULL_PATH, { urlpath: u.pathname, urlhost: u.host });
  call.end();
  const bytes = codec<{ data: Buffer }>('moby.filesync.v1.BytesMessage');
  return Readable.from(
    (async function* () {
      for await (const m of call) yield bytes.decode(m).data;
    })(),
    { objectMode: false },
  );
}
