import { setTimeout as sleep } from 'node:timers/promises';
import Docker from 'dockerode';
import { rssMiB } from '../engine-processes.js';
import { pulledInto } from '../fixtures.js';
import { defineScenario, type BenchScenario } from '../scenario.js';

interface Ctx {
  api: Docker;
  ids: string[];
}

/** Time for a daemon to settle (timers, GC) after the last request before its RSS counts as idle. */
const SETTLE_MS = 3_000;

/**
 * What the engine costs in memory while nothing happens: berthd plus one `berth-monitor` per container, against
 * dockerd plus containerd plus one `containerd-shim-runc-v2` per container. The containers' own processes (`sleep`)
 * are the same on both sides and not counted. Samples are a second apart.
 */
function idleRss(containers: number): BenchScenario {
  return defineScenario<Ctx>({
    name: `idle-rss-${containers}`,
    description: `engine RSS (daemon + helpers + per-container shims) idle with ${containers} running containers, MiB`,
    unit: 'MiB',
    better: 'lower',
    defaultIterations: 3,
    warmup: 0,
    unsupported: (target) => (target.processes ? undefined : 'its processes are unknown (a --peer daemon)'),
    async setup(target) {
      const api = new Docker({ socketPath: target.socket });
      const ids: string[] = [];
      if (containers > 0) {
        const ref = await pulledInto(target, 'busybox');
        for (let i = 0; i < containers; i++) {
          const c = await api.createContainer({ Image: ref, Cmd: ['sleep', '3600'], HostConfig: { NetworkMode: 'none' } });
          ids.push(c.id);
          await c.start();
        }
      }
      const running = (await api.listContainers()).length;
      if (running !== containers) throw new Error(`${running} containers running on ${target.label}, want ${containers}`);
      // One shim per container besides the daemon(s): otherwise the process discovery is off and the sum is wrong.
      const procs = (await target.processes!()).length;
      if (procs < containers + 1) throw new Error(`found ${procs} engine processes on ${target.label} for ${containers} containers`);
      await sleep(SETTLE_MS);
      return { api, ids };
    },
    async run(_ctx, target) {
      await sleep(1_000);
      return rssMiB(await target.processes!());
    },
    async teardown({ api, ids }) {
      for (const id of ids) await api.getContainer(id).remove({ force: true });
    },
  });
}

export const idleRss0 = idleRss(0);
export const idleRss20 = idleRss(20);
