// dockerd's image JSON (GET /images/json, /images/{id}/json, /history) to the UI's rows.
import type { ImageDetail, ImageHistoryRow, ImageRow } from '../../../shared/types.js';

interface RawImageSummary {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Size?: number;
  Created?: number;
  Containers?: number;
}

const danglingTag = (t: string) => t === '<none>:<none>';
const danglingDigest = (d: string) => d === '<none>@<none>';

export function imageRow(raw: RawImageSummary): ImageRow {
  return {
    id: raw.Id,
    tags: (raw.RepoTags ?? []).filter((t) => !danglingTag(t)),
    digests: (raw.RepoDigests ?? []).filter((d) => !danglingDigest(d)),
    size: raw.Size ?? 0,
    created: raw.Created ?? 0,
    containers: raw.Containers ?? -1,
  };
}

interface RawHistory {
  Id: string;
  Created: number;
  CreatedBy?: string;
  Size?: number;
  Comment?: string;
}

export function historyRow(raw: RawHistory): ImageHistoryRow {
  return { id: raw.Id, created: raw.Created, createdBy: raw.CreatedBy ?? '', size: raw.Size ?? 0, comment: raw.Comment ?? '' };
}

interface RawImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Size?: number;
  Created?: string;
  Os?: string;
  Architecture?: string;
  Variant?: string;
  Config?: {
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    User?: string;
    ExposedPorts?: Record<string, unknown> | null;
    Labels?: Record<string, string> | null;
  } | null;
  RootFS?: { Layers?: string[] | null };
}

export function imageDetail(raw: RawImageInspect, history: RawHistory[]): ImageDetail {
  const c = raw.Config ?? {};
  return {
    id: raw.Id,
    tags: (raw.RepoTags ?? []).filter((t) => !danglingTag(t)),
    digests: (raw.RepoDigests ?? []).filter((d) => !danglingDigest(d)),
    size: raw.Size ?? 0,
    created: raw.Created ?? '',
    os: raw.Os ?? '',
    architecture: raw.Architecture ?? '',
    ...(raw.Variant ? { variant: raw.Variant } : {}),
    cmd: c.Cmd ?? [],
    entrypoint: c.Entrypoint ?? [],
    env: c.Env ?? [],
    workingDir: c.WorkingDir ?? '',
    user: c.User ?? '',
    exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    labels: c.Labels ?? {},
    layers: raw.RootFS?.Layers ?? [],
    history: history.map(historyRow),
    raw,
  };
}
