/**
 * Finds an image the way dockerd's GetImage does: a full ID (`sha256:…` or 64 hex), then a tag or digest
 * reference (`busybox` meaning `busybox:latest`), then a unique ID prefix. The miss is dockerd's 404 text.
 */
import { NotFound } from '../base/errors.js';
import { canonicalString, familiarString, parseReference, repositoryName, withDefaultTag, type Reference } from '../registry/reference.js';
import type { ImageMetaStore, ImageRecord } from './store.js';

export interface Resolved {
  image: ImageRecord;
  /** The reference the input named, when it named one (not an ID). */
  ref?: Reference;
}

const FULL_ID = /^(?:sha256:)?([a-f0-9]{64})$/;
const PREFIX = /^(?:sha256:)?([a-f0-9]{1,64})$/;

export function noSuchImage(input: string): NotFound {
  return new NotFound(`No such image: ${input}`);
}

export function resolveImage(meta: ImageMetaStore, input: string): Resolved {
  const full = FULL_ID.exec(input);
  if (full) {
    const image = meta.get(`sha256:${full[1]}`);
    if (image) return { image };
    if (input.startsWith('sha256:')) throw noSuchImage(input);
  }
  let ref: Reference | undefined;
  try {
    ref = withDefaultTag(parseReference(input));
  } catch {
    ref = undefined;
  }
  if (ref) {
    const image = findByReference(meta, ref);
    if (image) return { image, ref };
  }
  const prefix = PREFIX.exec(input);
  if (prefix) {
    const matches = meta.all().filter((i) => i.id.slice(7).startsWith(prefix[1]!));
    if (matches.length === 1) return { image: matches[0]! };
  }
  throw noSuchImage(ref ? familiarString(ref) : input);
}

export function findByReference(meta: ImageMetaStore, ref: Reference): ImageRecord | undefined {
  if (ref.digest) {
    const key = `${repositoryName(ref)}@${ref.digest}`;
    return meta.all().find((i) => i.repoDigests.includes(key));
  }
  const id = meta.tagTarget(canonicalString(ref));
  return id ? meta.get(id) : undefined;
}
