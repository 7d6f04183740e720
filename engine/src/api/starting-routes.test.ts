import { describe, expect, it } from 'vitest';
import { Router, type RequestContext } from './router.js';
import { StartingRoutes } from './starting-routes.js';

function ctx(path: string): RequestContext & { served: string[] } {
  return { path, params: {}, served: [] } as unknown as RequestContext & { served: string[] };
}

describe('StartingRoutes', () => {
  const early = new Router().get('/_ping', (c) => void (c as ReturnType<typeof ctx>).served.push('early ping'));
  const fullTable = (): Router =>
    new Router()
      .get('/_ping', (c) => void (c as ReturnType<typeof ctx>).served.push('full ping'))
      .get('/containers/{id}/json', (c) => void (c as ReturnType<typeof ctx>).served.push(`inspect ${c.params.id}`));

  it('answers the early routes at once and holds any other request until the full table is there', async () => {
    let ready!: (r: Router) => void;
    const routes = new StartingRoutes(early, new Promise<Router>((r) => (ready = r)));
    const ping = ctx('/_ping');
    await routes.match('GET', '/_ping')?.handler(ping);
    expect(ping.served).toEqual(['early ping']);

    const inspect = ctx('/containers/web/json');
    const waiting = routes.match('GET', '/containers/web/json')?.handler(inspect);
    await Promise.resolve();
    expect(inspect.served).toEqual([]);
    ready(fullTable());
    await waiting;
    expect(inspect.served).toEqual(['inspect web']);
    expect(inspect.params).toEqual({ id: 'web' });
  });

  it('serves everything from the full table once it is there, and 404s what it lacks', async () => {
    const routes = new StartingRoutes(early, Promise.resolve(fullTable()));
    const waiting = ctx('/nothing');
    const held = routes.match('GET', '/nothing')?.handler(waiting);
    await expect(held).rejects.toThrow('page not found');
    const ping = ctx('/_ping');
    await routes.match('GET', '/_ping')?.handler(ping);
    expect(ping.served).toEqual(['full ping']);
    expect(routes.match('GET', '/nothing')).toBeUndefined();
  });

  it('gives a waiting request the error start-up failed with', async () => {
    const routes = new StartingRoutes(early, Promise.reject(new Error('bridge berth0: address in use')));
    await expect(routes.match('GET', '/containers/web/json')?.handler(ctx('/containers/web/json'))).rejects.toThrow('address in use');
  });

  it('holds the early routes until the gate opens, and answers them with its error if it fails', async () => {
    let claimed!: () => void;
    const routes = new StartingRoutes(early, new Promise<Router>(() => undefined), new Promise<void>((r) => (claimed = r)));
    const ping = ctx('/_ping');
    const answered = routes.match('GET', '/_ping')?.handler(ping);
    await Promise.resolve();
    expect(ping.served).toEqual([]);
    claimed();
    await answered;
    expect(ping.served).toEqual(['early ping']);

    const refused = new StartingRoutes(early, new Promise<Router>(() => undefined), Promise.reject(new Error('data root is locked')));
    await expect(refused.match('GET', '/_ping')?.handler(ctx('/_ping'))).rejects.toThrow('locked');
  });
});
