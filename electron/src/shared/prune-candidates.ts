// What a prune would remove, worked out from the lists the UI already has, so the dialog can show it before the
// user confirms. The engine decides in the end; these rules are the engine's own (dockerd's prune filters).
import type { ImageRow, VolumeRow } from './types.js';

/** dockerd ≥ 23 and berthd label the volumes they create for a container without a name. */
export const ANONYMOUS_VOLUME_LABEL = 'com.docker.volume.anonymous';

export function isAnonymousVolume(v: VolumeRow): boolean {
  return ANONYMOUS_VOLUME_LABEL in v.labels;
}

/**
 * `all: false` is "anonymous volumes no container uses" (a volume from before dockerd 23 carries no label and is
 * never a candidate then); `all: true` is every unused volume.
 */
export function volumePruneCandidates(volumes: VolumeRow[], all: boolean): VolumeRow[] {
  return volumes.filter((v) => v.usedBy.length === 0 && (all || isAnonymousVolume(v)));
}

/** `dangling: true` is untagged images no container uses; `false` is every image no container uses. */
export function imagePruneCandidates(images: ImageRow[], dangling: boolean): ImageRow[] {
  return images.filter((i) => i.containers <= 0 && (!dangling || i.tags.length === 0));
}

/** Sizes add up to at most this: images that share layers free the shared part once. */
export function totalSize(rows: { size: number }[]): number {
  return rows.reduce((n, r) => n + Math.max(r.size, 0), 0);
}
