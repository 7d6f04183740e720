import type { RouteMatch, RouteTable } from './router.js';
import { PageNotFound } from './server.js';

/**
 * The route table of an engine that listens before its services have started (their stores, networks, firewall
 * and runtimes take seconds under emulation): the few routes that need none of them (`early`: `/_ping`,
 * `/version`) answer as soon as `earlyGate` has settled (the data root is claimed: a daemon its lock refuses never
 * answers a ping), and any other request waits for the full table and is then served by it exactly as if it had
 * arrived later. If start-up fails, the waiting requests get its error (the daemon then exits).
 */
export class StartingRoutes implements RouteTable {
  private full: RouteTable | undefined;
  private readonly pending: Promise<RouteTable>;
  private earlyOpen = false;

  constructor(
    private readonly early: RouteTable,
    full: Promise<RouteTable>,
    private readonly earlyGate: Promise<unknown> = Promise.resolve(),
  ) {
    this.pending = full.then((table) => (this.full = table));
    // A failed start is reported by whoever awaits start-up; a request that waited gets the error from its handler.
    this.pending.catch(() => undefined);
    earlyGate.then(() => (this.earlyOpen = true), () => undefined);
  }

  match(method: string, path: string): RouteMatch | undefined {
    if (this.full) return this.full.match(method, path);
    const now = this.early.match(method, path);
    if (now && this.earlyOpen) return now;
    if (now) {
      return {
        params: now.params,
        handler: async (ctx) => {
          await this.earlyGate;
          await now.handler(ctx);
        },
      };
    }
    return {
      params: {},
      handler: async (ctx) => {
        const match = (await this.pending).match(method, path);
        if (!match) throw new PageNotFound();
        Object.assign(ctx.params, match.params);
        await match.handler(ctx);
      },
    };
  }
}
