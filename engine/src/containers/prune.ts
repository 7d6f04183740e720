import { Conflict, InvalidArgument, errorMessage } from '../base/errors.js';
import { Filters } from '../base/filters.js';
import { parseTimestamp } from '../base/timestamp.js';
import type { ContainerContext } from './context.js';
import { containerSizes } from './disk-usage.js';
import type { ContainerRecord } from './types.js';

export interface PruneReport {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

const PRUNE_FILTERS = ['label', 'label!', 'until'];
let pruning = false;

/** dockerd's matchLabels for prune: every `label` must hold, and not all of the `label!` ones. */
function labelsMatch(f: Filters, labels: Record<string, string>): boolean {
  if (!f.matchKVList('label', labels)) return false;
  return !(f.has('label!') && f.matchKVList('label!', labels));
}

function untilNs(f: Filters): bigint | undefined {
  const values = f.get('until');
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new InvalidArgument('more than one until filter specified');
  return parseTimestamp(values[0] as string, 'until');
}

function createdNs(r: ContainerRecord): bigint {
  return BigInt(Date.parse(r.Created)) * 1_000_000n;
}

/** `POST /containers/prune`: removes every stopped container the filters select; one `prune` event with the bytes. */
export async function pruneContainers(ctx: ContainerContext, rawFilters: string | null): Promise<PruneReport> {
  const f = Filters.parse(rawFilters).validate(PRUNE_FILTERS);
  const until = untilNs(f);
  if (pruning) throw new Conflict('a prune operation is already running');
  pruning = true;
  try {
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const r of ctx.store.all()) {
      if (r.State.Running || r.State.Paused || r.State.Restarting || r.State.Status === 'removing') continue;
      if (until !== undefined && createdNs(r) > until) continue;
      if (!labelsMatch(f, r.Config.Labels ?? {})) continue;
      try {
        const { SizeRw } = await containerSizes(ctx, r);
        await ctx.removeContainer(r, { removeVolumes: false });
        deleted.push(r.Id);
        reclaimed += SizeRw;
      } catch (err) {
        ctx.log.warn({ id: r.Id, err: errorMessage(err) }, 'could not prune container');
      }
    }
    ctx.events.publish('container', 'prune', '', { reclaimed: String(reclaimed) });
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  } finally {
    pruning = false;
  }
}
