/**
 * The API shapes of an image: `ImageInspect`, `ImageSummary` and `HistoryResponseItem`, as dockerd's graphdriver
 * image store fills them (sizes are unpacked sizes; RepoTags/RepoDigests in familiar form).
 */
import { familiarString, parseReference } from '../registry/reference.js';
import type { ContainerConfigJson, HistoryEntry, ImageConfig } from './deps.js';
import type { ImageRecord } from './store.js';

export function familiar(canonical: string): string {
  try {
    return familiarString(parseReference(canonical));
  } catch {
    return canonical;
  }
}

export function imageSize(img: ImageRecord): number {
  return img.layerSizes.reduce((a, b) => a + b, 0);
}

function unixSeconds(rfc3339: string | undefined): number {
  const t = rfc3339 ? Date.parse(rfc3339) : NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : 0;
}

/** The image's container config with the keys dockerd always prints (null/empty rather than absent). */
function fullConfig(c: ContainerConfigJson | undefined): Record<string, unknown> {
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: null,
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
    ...c,
  };
}

export interface InspectContext {
  tags: string[];
  config: ImageConfig;
  lowerDirs: string[];
  apiVersion: number;
}

export function inspectView(img: ImageRecord, ctx: InspectContext): Record<string, unknown> {
  const size = imageSize(img);
  const dirs = [...ctx.lowerDirs].reverse();
  const out: Record<string, unknown> = {
    Id: img.id,
    RepoTags: ctx.tags.map(familiar),
    RepoDigests: img.repoDigests.map(familiar),
    // The previous build step, for images built here (dockerd shows the same local parent link).
    Parent: img.parent ?? '',
    // dockerd shows the last history entry's comment when the image has none of its own (BuildKit's images).
    Comment: ctx.config.comment || ctx.config.history?.[ctx.config.history.length - 1]?.comment || '',
    Created: ctx.config.created ?? img.created,
    DockerVersion: ctx.config.docker_version ?? '',
    Author: ctx.config.author ?? '',
    Config: fullConfig(ctx.config.config),
    Architecture: img.platform.architecture,
    ...(img.platform.variant ? { Variant: img.platform.variant } : {}),
    Os: img.platform.os,
    Size: size,
    GraphDriver: {
      Data: dirs.length
        ? { ...(dirs.length > 1 ? { LowerDir: dirs.slice(1).join(':') } : {}), UpperDir: dirs[0], MergedDir: '', WorkDir: '' }
        : {},
      Name: 'overlay2',
    },
    RootFS: { Type: 'layers', Layers: img.diffIds },
    Metadata: { LastTagTime: img.lastTagTime ?? '0001-01-01T00:00:00Z' },
  };
  if (ctx.apiVersion < 1.44) {
    out.Container = ctx.config.container ?? '';
    out.ContainerConfig = fullConfig(ctx.config.container_config);
    out.VirtualSize = size;
  }
  if (ctx.apiVersion >= 1.48 && img.manifest) {
    out.Descriptor = { mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.size };
  }
  return out;
}

export function summaryView(img: ImageRecord, tags: string[], labels: Record<string, string> | null, containers: number, apiVersion: number): Record<string, unknown> {
  const size = imageSize(img);
  const out: Record<string, unknown> = {
    Containers: containers,
    Created: unixSeconds(img.created),
    Id: img.id,
    Labels: labels ?? {},
    ParentId: img.parent ?? '',
    RepoDigests: img.repoDigests.map(familiar),
    RepoTags: tags.map(familiar),
    SharedSize: -1,
    Size: size,
  };
  if (apiVersion < 1.44) out.VirtualSize = size;
  if (apiVersion >= 1.48 && img.manifest) {
    out.Descriptor = { mediaType: img.manifest.mediaType, digest: img.manifest.digest, size: img.manifest.size };
  }
  return out;
}

/** Newest first; only the top entry carries the image ID and tags, the rest are `<missing>` as in dockerd. */
export function historyView(img: ImageRecord, tags: string[], config: ImageConfig): Record<string, unknown>[] {
  const hist: HistoryEntry[] = config.history?.length
    ? config.history
    : img.diffIds.map(() => ({ created: config.created ?? img.created, created_by: '' }));
  let layer = 0;
  const rows = hist.map((h) => {
    const size = h.empty_layer ? 0 : (img.layerSizes[layer++] ?? 0);
    return {
      Comment: h.comment ?? '',
      Created: unixSeconds(h.created),
      CreatedBy: h.created_by ?? '',
      Id: '<missing>',
      Size: size,
      Tags: null as string[] | null,
    };
  });
  rows.reverse();
  if (rows[0]) {
    rows[0].Id = img.id;
    rows[0].Tags = tags.length ? tags.map(familiar) : null;
  }
  return rows;
}
