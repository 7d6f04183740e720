/**
 * `Control.DiskUsage` and `Control.Prune` over the one build cache berthd has (the executor's step images, the
 * same records `/system/df` and `POST /build/prune` show), so `docker buildx du`, `docker builder prune` (CLI 28
 * routes it to buildx) and `docker system df` agree.
 */
import type { ServerUnaryCall, ServerWritableStream } from '@grpc/grpc-js';
import { Filters } from '../base/filters.js';
import type { BuildCacheRecord } from '../build/cache-usage.js';
import { timestamp } from './codec.js';
import type { BuildKitDeps } from './deps.js';
import { toServiceError } from './handlers.js';

interface PruneRequest {
  filter: string[];
  all: boolean;
  keepDuration: number;
}

function usageRecord(r: BuildCacheRecord): Record<string, unknown> {
  return {
    ID: r.ID,
    Mutable: false,
    InUse: r.InUse,
    Size: r.Size,
    Parent: r.Parent,
    Parents: r.Parents,
    CreatedAt: timestamp(new Date(r.CreatedAt)),
    ...(r.LastUsedAt ? { LastUsedAt: timestamp(new Date(r.LastUsedAt)) } : {}),
    UsageCount: r.UsageCount,
    Description: r.Description,
    RecordType: r.Type,
    Shared: r.Shared,
  };
}

export async function diskUsage(deps: BuildKitDeps, _call: ServerUnaryCall<unknown, unknown>): Promise<unknown> {
  return { record: (await deps.builds.diskUsage()).map(usageRecord) };
}

/** buildx's `key=value` (or `key==value`) filters and keep-duration as the engine's filters. */
export function pruneFilters(req: PruneRequest, now = Date.now()): Filters {
  const fields = new Map<string, Set<string>>();
  const add = (k: string, v: string): void => void (fields.get(k) ?? fields.set(k, new Set()).get(k)!).add(v);
  for (const f of req.filter) {
    for (const part of f.split(',')) {
      const m = /^([^=!<>]+)(==|=|!=)(.*)$/.exec(part.trim());
      if (m) add(m[1]!.trim(), m[3]!.trim());
    }
  }
  if (req.keepDuration > 0) add('until', new Date(now - req.keepDuration / 1e6).toISOString());
  return new Filters(fields);
}

export function prune(deps: BuildKitDeps, call: ServerWritableStream<PruneRequest, unknown>): void {
  void (async () => {
    const sizes = new Map((await deps.builds.diskUsage()).map((r) => [r.ID, r]));
    const result = await deps.builds.prune(pruneFilters(call.request));
    for (const id of result.CachesDeleted ?? []) {
      const r = sizes.get(id);
      call.write(r ? usageRecord(r) : { ID: id });
    }
    call.end();
  })().catch((err: unknown) => call.destroy(toServiceError(err)));
}
