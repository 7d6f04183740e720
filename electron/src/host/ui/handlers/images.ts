import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { authConfigForImage } from '../../credentials/image-auth.js';
import type { RegistryCredentials } from '../../credentials/registry-credentials.js';
import type { ResultOf } from '../../../shared/contract.js';
import type { ImageRow, ProgressEvent } from '../../../shared/types.js';
import { imageDetail, imageRow } from '../mappers/images.js';
import { onJsonLines } from '../../json-lines.js';
import type { RequestHandlers, StreamControl, StreamHandlers, StreamSink } from './types.js';

type ImageRequests = Pick<RequestHandlers, 'images.list' | 'images.inspect' | 'images.remove' | 'images.tag' | 'images.prune'>;

export function imageHandlers(docker: Docker): ImageRequests {
  return {
    async 'images.list'() {
      const raw = await docker.listImages({ all: false });
      const rows = raw.map(imageRow);
      // dockerd answers Containers: -1 unless asked for shared sizes; "in use" then comes from the containers.
      if (rows.some((r) => r.containers < 0)) {
        const counts = await docker.listContainers({ all: true }).then(containersPerImage, () => undefined);
        if (counts) for (const r of rows) if (r.containers < 0) r.containers = counts.get(r.id) ?? 0;
      }
      return rows.sort((a, b) => b.created - a.created);
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
      // The answer lists untagged names and deleted IDs, layers included; the list from before names the images.
      const before = await docker.listImages({ all: false }).catch(() => []);
      const res = await docker.pruneImages({ filters: { dangling: { [String(dangling)]: true } } });
      return prunedImages(before.map(imageRow), res.ImagesDeleted ?? [], res.SpaceReclaimed ?? 0);
    },
  };
}

function containersPerImage(list: { ImageID?: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of list) if (c.ImageID) counts.set(c.ImageID, (counts.get(c.ImageID) ?? 0) + 1);
  return counts;
}

/** What an image prune removed, by the names the user saw: each removed image once (its tags, else its short ID). */
export function prunedImages(before: ImageRow[], deleted: { Untagged?: string; Deleted?: string }[], spaceReclaimed: number): ResultOf<'images.prune'> {
  const gone = new Set(deleted.map((d) => d.Deleted).filter(Boolean));
  const removedImages = before.filter((i) => gone.has(i.id));
  const names = removedImages.flatMap((i) => (i.tags.length ? i.tags : [i.id.replace(/^sha256:/, '').slice(0, 12)]));
  // Tags untagged from images that stay (another tag or a digest still holds them) were removed too.
  for (const d of deleted) if (d.Untagged && !names.includes(d.Untagged) && !d.Untagged.includes('@')) names.push(d.Untagged);
  return { deleted: removedImages.length, spaceReclaimed, removed: names };
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

/** Pulls and pushes send the user's login for the image's registry (X-Registry-Auth), as the docker CLI does. */
export function imageStreams(docker: Docker, credentials?: RegistryCredentials): Pick<StreamHandlers, 'images.pull' | 'images.push'> {
  return {
    async 'images.pull'({ ref }, sink) {
      const [repo, tag] = splitTag(ref.trim());
      const fromImage = ref.includes('@') ? `${repo}@${tag}` : repo;
      const auth = (await authConfigForImage(credentials, repo)) ?? {};
      const stream = (await docker.createImage(auth, { fromImage, ...(ref.includes('@') ? {} : { tag }) })) as Readable;
      return pipeProgress(stream, sink);
    },
    async 'images.push'({ ref }, sink) {
      const [repo, tag] = splitTag(ref.trim());
      const authconfig = (await authConfigForImage(credentials, repo)) ?? {};
      const stream = (await docker.getImage(repo).push({ tag, authconfig } as never)) as unknown as Readable;
      return pipeProgress(stream, sink);
    },
  };
}
