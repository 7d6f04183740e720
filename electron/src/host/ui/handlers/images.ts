import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type { ProgressEvent } from '../../../shared/types.js';
import { imageDetail, imageRow } from '../mappers/images.js';
import { onJsonLines } from './json-lines.js';
import type { RequestHandlers, StreamControl, StreamHandlers, StreamSink } from './types.js';

type ImageRequests = Pick<RequestHandlers, 'images.list' | 'images.inspect' | 'images.remove' | 'images.tag' | 'images.prune'>;

export function imageHandlers(docker: Docker): ImageRequests {
  return {
    async 'images.list'() {
      const raw = await docker.listImages({ all: false });
      return raw.map(imageRow).sort((a, b) => b.created - a.created);
    },
    async 'images.inspect'({ id }) {
      const image = docker.getImage(id);
      const inspect = await image.inspect();
      // History is a separate endpoint; an engine without it still gets an inspect view.
      const history = await image.history().catch(() => []);
      return imageDetail(inspect as never, history as never);
    },
    async 'images.remove'({ id, force }) {
      await docker.getImage(id).remove({ force: force ?? false });
    },
    async 'images.tag'({ id, repo, tag }) {
      await docker.getImage(id).tag({ repo, tag });
    },
    async 'images.prune'({ dangling }) {
      const res = await docker.pruneImages({ filters: { dangling: { [String(dangling)]: true } } });
      return { deleted: res.ImagesDeleted?.length ?? 0, spaceReclaimed: res.SpaceReclaimed ?? 0 };
    },
  };
}

/** `repo[:tag]` → [repo, tag]; a `:` inside the registry's host:port is not a tag. */
export function splitTag(ref: string): [string, string] {
  const at = ref.indexOf('@');
  if (at >= 0) return [ref.slice(0, at), ref.slice(at + 1)];
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}

// dockerd reports a failure after 200 OK as an in-band {"error": …} message.
function pipeProgress(stream: Readable, sink: StreamSink<ProgressEvent>): StreamControl<never> {
  let failed: string | undefined;
  onJsonLines(stream, (obj) => {
    const m = obj as { id?: string; status?: string; progress?: string; progressDetail?: { current?: number; total?: number }; error?: string; errorDetail?: { message?: string } };
    if (m.error || m.errorDetail) failed = m.errorDetail?.message ?? m.error;
    sink.data({
      ...(m.id ? { id: m.id } : {}),
      ...(m.status ? { status: m.status } : {}),
      ...(m.progress ? { progress: m.progress } : {}),
      ...(m.progressDetail?.current !== undefined ? { current: m.progressDetail.current } : {}),
      ...(m.progressDetail?.total !== undefined ? { total: m.progressDetail.total } : {}),
      ...(failed ? { error: failed } : {}),
    });
  });
  stream.on('end', () => sink.end(failed ? { code: 'internal', message: failed } : undefined));
  stream.on('error', (err) => sink.end(err));
  return { close: () => stream.destroy() };
}

export function imageStreams(docker: Docker): Pick<StreamHandlers, 'images.pull' | 'images.push'> {
  return {
    async 'images.pull'({ ref }, sink) {
      const [repo, tag] = splitTag(ref.trim());
      const fromImage = ref.includes('@') ? `${repo}@${tag}` : repo;
      const stream = (await docker.createImage({}, { fromImage, ...(ref.includes('@') ? {} : { tag }) })) as Readable;
      return pipeProgress(stream, sink);
    },
    async 'images.push'({ ref }, sink) {
      const [repo, tag] = splitTag(ref.trim());
      const stream = (await docker.getImage(repo).push({ tag, authconfig: {} } as never)) as unknown as Readable;
      return pipeProgress(stream, sink);
    },
  };
}
