import { Unavailable } from '../../base/errors.js';
import type { Router } from '../router.js';
import { sendJson } from '../respond.js';

const NOT_A_MANAGER =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/** Swarm mode is out of scope: answer as a dockerd that never joined a swarm, so CLIs and Compose carry on. */
export function registerSwarmRoutes(router: Router): void {
  const notManager = (): never => {
    throw new Unavailable(NOT_A_MANAGER);
  };
  for (const prefix of ['/swarm', '/nodes', '/services', '/tasks', '/secrets', '/configs']) {
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      router.add(method, prefix, notManager);
      router.add(method, `${prefix}/{rest:.*}`, notManager);
    }
  }
  router.get('/plugins', (ctx) => sendJson(ctx, 200, []));
}
