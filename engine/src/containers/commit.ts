import { InvalidArgument } from '../base/errors.js';
import type { ContainerConfigJson } from '../images/deps.js';
import { commitImage } from '../images/commit.js';
import { upperDirTar } from '../images/diff-tar.js';
import { applyChanges } from '../images/import.js';
import { INIT_PATHS } from './changes.js';
import { publish, type ContainerContext } from './context.js';
import { rootfsPaths } from './rootfs.js';
import { freezeUnlessExited } from './runtime-state.js';
import { bundleDir } from './context.js';
import type { ContainerRecord } from './types.js';

export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Freeze a running container while its writable layer is read (dockerd's default). */
  pause: boolean;
  /** Dockerfile instructions applied to the new image's config (`docker commit --change`). */
  changes: string[];
  /** A config override from the request body. */
  config?: ContainerConfigJson;
}

function envKey(e: string): string {
  return e.includes('=') ? e.slice(0, e.indexOf('=')) : e;
}

/** The container's config, then the body's override, then `--change` lines on top (Env and Labels by key). */
export function committedConfig(record: ContainerRecord, override: ContainerConfigJson | undefined, changes: string[]): ContainerConfigJson {
  const { Hostname: _h, Domainname: _d, AttachStdin: _a, AttachStdout: _o, AttachStderr: _e, Image: _i, ...base } = record.Config;
  const merged: ContainerConfigJson = { ...(base as ContainerConfigJson), ...(override ?? {}) };
  const change = applyChanges(changes);
  const env = [...(merged.Env ?? [])];
  for (const e of change.Env ?? []) {
    const i = env.findIndex((x) => envKey(x) === envKey(e));
    if (i >= 0) env[i] = e;
    else env.push(e);
  }
  return {
    ...merged,
    ...change,
    Env: env,
    Labels: { ...(merged.Labels ?? {}), ...(change.Labels ?? {}) },
  };
}

/**
 * `docker commit`: the container's writable layer becomes a new layer on top of its image, with its config
 * (plus `--change`s) as the image config; tagged when a repository is given.
 */
export async function commitContainer(ctx: ContainerContext, record: ContainerRecord, opts: CommitOptions): Promise<string> {
  if (opts.repo !== undefined && opts.repo !== '' && /[A-Z]/.test(opts.repo)) {
    throw new InvalidArgument(`invalid reference format: repository name (${opts.repo}) must be lowercase`);
  }
  const runtime = ctx.runtimes.get(record.HostConfig.Runtime);
  const freeze = opts.pause && record.State.Running && !record.State.Paused && runtime !== undefined && (await freezeUnlessExited(runtime, record.Id));
  try {
    const parentRecord = ctx.images.get(record.ImageId);
    const parentConfig = await ctx.images.config(record.ImageId);
    const upper = rootfsPaths(ctx.store.dir(record.Id), bundleDir(ctx, record.Id)).upper;
    const exclude = new Set([...INIT_PATHS].map((p) => p.slice(1)));
    const image = await commitImage(ctx.images.deps, {
      parent: { record: parentRecord, config: parentConfig },
      config: committedConfig(record, opts.config, opts.changes),
      containerConfig: record.Config as unknown as ContainerConfigJson,
      container: record.Id,
      history: {
        created: new Date().toISOString(),
        created_by: [record.Path, ...record.Args].join(' '),
        ...(opts.comment ? { comment: opts.comment } : {}),
      },
      ...(opts.author ? { author: opts.author } : {}),
      layer: upperDirTar(upper, exclude),
      platform: parentRecord.platform,
      // The container's image is the new image's parent, as dockerd records it (inspect `Parent`).
    });
    if (opts.repo) await ctx.images.tag(image.id, opts.repo, opts.tag || 'latest');
    publish(ctx, record, 'commit', {
      comment: opts.comment ?? '',
      imageID: image.id,
      imageRef: opts.repo ? `${opts.repo}:${opts.tag || 'latest'}` : '',
    });
    return image.id;
  } finally {
    if (freeze) await runtime.resume(record.Id).catch(() => undefined);
  }
}
