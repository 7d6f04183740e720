import { InvalidArgument } from '../../base/errors.js';
import { Filters } from '../../base/filters.js';
import { nowNanos, parseTimestamp } from '../../base/timestamp.js';
import { versionLessThan } from '../../base/version.js';
import type { EngineEvent, EventsService } from '../../events/events.js';
import { EVENT_FILTER_KEYS, eventFilter } from '../../events/filter.js';
import type { Router, RequestContext } from '../router.js';
import { startStream } from '../respond.js';

/**
 * One event as JSON. `timeNano` does not fit a double, so it is spliced in as raw digits. Before API 1.52 dockerd
 * also sent the legacy `status`, `id` and `from` fields; old clients still read them.
 */
export function encodeEvent(event: EngineEvent, apiVersion: string): string {
  const legacy: Record<string, string> = {};
  if (versionLessThan(apiVersion, '1.52') && (event.Type === 'container' || event.Type === 'image')) {
    legacy.status = event.Action;
    legacy.id = event.Actor.ID;
    const from = event.Actor.Attributes.image;
    if (event.Type === 'container' && from !== undefined) legacy.from = from;
  }
  const { timeNano, ...rest } = event;
  const json = JSON.stringify({ ...legacy, ...rest });
  return `${json.slice(0, -1)},"timeNano":${timeNano.toString()}}`;
}

async function streamEvents(ctx: RequestContext, events: EventsService): Promise<void> {
  const sinceRaw = ctx.query.get('since') ?? '';
  const untilRaw = ctx.query.get('until') ?? '';
  const since = sinceRaw === '' ? undefined : parseTimestamp(sinceRaw, 'since');
  const until = untilRaw === '' ? undefined : parseTimestamp(untilRaw, 'until');
  if (since !== undefined && until !== undefined && until < since) {
    throw new InvalidArgument(`\`since\` time (${sinceRaw}) cannot be after \`until\` time (${untilRaw})`);
  }
  const filters = Filters.parse(ctx.query.get('filters')).validate(EVENT_FILTER_KEYS);
  const write = (e: EngineEvent): void => {
    ctx.res.write(`${encodeEvent(e, ctx.apiVersion)}\n`);
  };
  const sub = events.subscribe({ since, until, filter: eventFilter(filters), onEvent: write });
  startStream(ctx, 'application/json');
  try {
    for (const e of sub.past) write(e);
    const now = nowNanos();
    if (until !== undefined && until <= now) return;
    await new Promise<void>((resolve) => {
      const timer = until === undefined ? undefined : setTimeout(resolve, Number((until - now) / 1_000_000n));
      ctx.signal.addEventListener('abort', () => {
        if (timer) clearTimeout(timer);
        resolve();
      });
    });
  } finally {
    sub.close();
    ctx.res.end();
  }
}

export function registerEventRoutes(router: Router, events: EventsService): void {
  router.get('/events', (ctx) => streamEvents(ctx, events));
}
