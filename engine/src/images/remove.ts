/**
 * `DELETE /images/{name}` with dockerd's rules: removing a reference untags it, and the image itself goes only
 * when no reference is left; removing by ID untags everything first, but refuses (unless forced) an image
 * referenced from several repositories; images used by containers conflict with dockerd's messages.
 */
import { Conflict } from '../base/errors.js';
import { shortId } from '../base/ids.js';
import { canonicalString, familiarString, parseReference, repositoryName } from '../registry/reference.js';
import type { ImageDeps } from './deps.js';
import { deleteUntaggedParents } from './children.js';
import { collectGarbage } from './gc.js';
import { resolveImage } from './lookup.js';
import type { ImageRecord } from './store.js';
import { familiar } from './views.js';

export type DeleteItem = { Untagged: string } | { Deleted: string };

export interface RemoveOptions {
  force?: boolean;
  noprune?: boolean;
}

function repoOf(canonicalRef: string): string {
  const r = parseReference(canonicalRef);
  return repositoryName(r);
}

/** Every reference to an image: canonical tags and canonical repo digests. */
function referencesOf(deps: ImageDeps, img: ImageRecord): string[] {
  return [...deps.meta.tagsOf(img.id), ...img.repoDigests];
}

async function untag(deps: ImageDeps, img: ImageRecord, refs: string[], out: DeleteItem[]): Promise<void> {
  if (refs.length === 0) return;
  await deps.meta.update((db) => {
    const rec = db.images[img.id];
    for (const r of refs) {
      if (r.includes('@')) {
        if (rec) rec.repoDigests = rec.repoDigests.filter((d) => d !== r);
      } else if (db.tags[r] === img.id) delete db.tags[r];
    }
  });
  for (const r of refs) {
    out.push({ Untagged: familiar(r) });
    deps.events.publish('image', 'untag', img.id, { name: familiar(r) });
  }
}

function conflictWithContainers(deps: ImageDeps, img: ImageRecord, force: boolean): void {
  const users = deps.users().filter((u) => u.imageId === img.id);
  const running = users.find((u) => u.running);
  if (running) {
    throw new Conflict(`conflict: unable to delete ${shortId(img.id)} (cannot be forced) - image is being used by running container ${shortId(running.containerId)}`);
  }
  if (users[0] && !force) {
    throw new Conflict(`conflict: unable to delete ${shortId(img.id)} (must be forced) - image is being used by stopped container ${shortId(users[0].containerId)}`);
  }
}

/** Deletes the record (refs already gone) and collects what nothing references any more. */
async function deleteImage(deps: ImageDeps, img: ImageRecord, opts: RemoveOptions, out: DeleteItem[]): Promise<void> {
  // A container keeps using its image's snapshots, so a forced delete of a used image leaves it dangling instead.
  if (deps.users().some((u) => u.imageId === img.id)) return;
  await deps.meta.update((db) => {
    delete db.images[img.id];
  });
  out.push({ Deleted: img.id });
  deps.events.publish('image', 'delete', img.id, {});
  if (!opts.noprune) {
    await deleteUntaggedParents(deps, img.parent, out);
    const gc = await collectGarbage(deps, deps.leases);
    for (const c of gc.snapshots) out.push({ Deleted: c });
  }
}

export async function removeImage(deps: ImageDeps, input: string, opts: RemoveOptions = {}): Promise<DeleteItem[]> {
  const force = opts.force ?? false;
  const { image, ref } = resolveImage(deps.meta, input);
  const out: DeleteItem[] = [];
  const refs = referencesOf(deps, image);
  if (ref) {
    const key = ref.digest ? `${repositoryName(ref)}@${ref.digest}` : canonicalString(ref);
    const remaining = refs.filter((r) => r !== key);
    const users = deps.users().filter((u) => u.imageId === image.id);
    if (remaining.length === 0 && users[0] && !force) {
      throw new Conflict(
        `conflict: unable to remove repository reference "${familiarString(ref)}" (must force) - container ${shortId(users[0].containerId)} is using its referenced image ${shortId(image.id)}`,
      );
    }
    const gone = [key];
    // A removed tag takes the digest references of its repository along when no other tag of that repo is left.
    if (!ref.digest) {
      const repo = repositoryName(ref);
      const tagLeft = remaining.some((r) => !r.includes('@') && repoOf(r) === repo);
      if (!tagLeft) gone.push(...remaining.filter((r) => r.includes('@') && repoOf(r) === repo));
    }
    await untag(deps, image, gone, out);
    if (refs.some((r) => !gone.includes(r))) return out;
    conflictWithContainers(deps, image, force);
    await deleteImage(deps, image, opts, out);
    return out;
  }
  // By ID.
  const repos = new Set(refs.map(repoOf));
  if (repos.size > 1 && !force) {
    throw new Conflict(`conflict: unable to delete ${shortId(image.id)} (must be forced) - image is referenced in multiple repositories`);
  }
  conflictWithContainers(deps, image, force);
  await untag(deps, image, refs, out);
  await deleteImage(deps, image, opts, out);
  return out;
}
