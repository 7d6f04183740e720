import type Docker from 'dockerode';
import { containerDetail, containerRow } from '../mappers/containers.js';
import { createBody } from './run-spec.js';
import type { RequestHandlers } from './types.js';
import { isHelperContainer } from './volume-browser.js';

type ContainerRequests = Pick<RequestHandlers,
  'containers.list' | 'containers.rows' | 'containers.inspect' | 'containers.action' | 'containers.remove' | 'containers.run'>;

export function containerHandlers(docker: Docker): ContainerRequests {
  return {
    async 'containers.list'() {
      const raw = await docker.listContainers({ all: true });
      return raw.filter((c) => !isHelperContainer(c.Labels)).map((c) => containerRow(c as never));
    },
    async 'containers.rows'({ ids }) {
      if (!Array.isArray(ids) || ids.some((i) => typeof i !== 'string')) throw { code: 'invalid', message: 'ids must be a list of container IDs' };
      if (!ids.length) return [];
      // The id filter matches prefixes; keep only exact ids so a short id never pulls in a stranger.
      const raw = await docker.listContainers({ all: true, filters: { id: ids } });
      const wanted = new Set(ids);
      return raw.filter((c) => wanted.has(c.Id) && !isHelperContainer(c.Labels)).map((c) => containerRow(c as never));
    },
    async 'containers.inspect'({ id }) {
      return containerDetail((await docker.getContainer(id).inspect()) as never);
    },
    async 'containers.action'({ id, action }) {
      const c = docker.getContainer(id);
      switch (action) {
        case 'start': await c.start(); return;
        case 'stop': await c.stop(); return;
        case 'restart': await c.restart(); return;
        case 'pause': await c.pause(); return;
        case 'unpause': await c.unpause(); return;
        case 'kill': await c.kill(); return;
        default: throw { code: 'invalid', message: `unknown container action ${String(action)}` };
      }
    },
    async 'containers.remove'({ id, force, volumes }) {
      await docker.getContainer(id).remove({ force: force ?? false, v: volumes ?? false });
    },
    async 'containers.run'(spec) {
      let body;
      try {
        body = createBody(spec);
      } catch (err) {
        throw { code: 'invalid', message: (err as Error).message };
      }
      const created = await docker.createContainer({ ...body, ...(spec.name?.trim() ? { name: spec.name.trim() } : {}) });
      await created.start();
      return { id: created.id, warnings: [] };
    },
  };
}
