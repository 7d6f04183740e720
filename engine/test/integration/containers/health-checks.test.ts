import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restartBerthdInPlace, startContainerRig, type ContainerRig } from './harness.js';
import { eventually } from './io-helpers.js';

let rig: ContainerRig;
let stopRestarted: (() => Promise<void>) | undefined;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  const left = (await rig?.docker(['ps', '-aq']))?.stdout.split('\n').filter(Boolean) ?? [];
  if (left.length > 0) await rig.docker(['rm', '-f', ...left]);
  await stopRestarted?.();
  await rig?.stop();
});

interface Health {
  Status: string;
  FailingStreak: number;
  Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }>;
}

const health = async (name: string): Promise<Health> => JSON.parse(await rig.ok(['inspect', '--format', '{{json .State.Health}}', name])) as Health;
const psStatus = (name: string) => rig.ok(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}']);
const becomes = (name: string, status: string, timeoutMs = 20_000) =>
  eventually(async () => ((await health(name)).Status === status ? true : undefined), `${name} ${status}`, timeoutMs);
const SLEEPER = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done'];

describe('healthchecks', () => {
  it('turns unhealthy after `retries` failures and healthy on a success, as docker ps and events show', async () => {
    await rig.ok(['run', '-d', '--name', 'hc', '--health-cmd', 'test -f /tmp/ok && echo fine || { echo missing; exit 1; }', '--health-interval', '1s', '--health-retries', '2', rig.busybox, ...SLEEPER]);
    expect(await psStatus('hc')).toMatch(/^Up .* \(health: starting\)$/);
    await becomes('hc', 'unhealthy');
    const sick = await health('hc');
    expect(sick.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(sick.Log.at(-1)).toMatchObject({ ExitCode: 1, Output: 'missing\n' });
    expect(await psStatus('hc')).toMatch(/^Up .* \(unhealthy\)$/);
    expect(await rig.ok(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}'])).toBe('hc');

    await rig.ok(['exec', 'hc', 'touch', '/tmp/ok']);
    await becomes('hc', 'healthy');
    const well = await health('hc');
    expect(well.FailingStreak).toBe(0);
    expect(well.Log.at(-1)).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    expect(await psStatus('hc')).toMatch(/^Up .* \(healthy\)$/);

    // The log keeps the last five results.
    await eventually(async () => ((await health('hc')).Log.length === 5 ? true : undefined), 'five log entries', 15_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await health('hc')).Log).toHaveLength(5);

    await new Promise((r) => setTimeout(r, 1100));
    const events = (await rig.ok(['events', '--since', '60s', '--until', '0s', '--filter', 'container=hc', '--filter', 'event=health_status', '--format', '{{.Action}}'])).split('\n');
    expect(events).toEqual(['health_status: unhealthy', 'health_status: healthy']);
  });

  it('kills a probe that runs past its timeout and counts it as a failure', async () => {
    await rig.ok(['run', '-d', '--name', 'slowprobe', '--health-cmd', 'sleep 5', '--health-timeout', '500ms', '--health-interval', '1s', '--health-retries', '1', rig.busybox, ...SLEEPER]);
    await becomes('slowprobe', 'unhealthy');
    expect((await health('slowprobe')).Log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (500ms)' });
    // Timed-out probes are killed, not left behind in the container. Probes never overlap, so after two timed out
    // at most the next one can be running (a 1 s interval starts it soon after): a leaked probe would make two.
    await eventually(async () => ((await health('slowprobe')).Log.length >= 2 ? true : undefined), 'two timed-out probes');
    const procs = await rig.ok(['top', 'slowprobe', '-o', 'pid,args']);
    expect(procs.split('\n').filter((line) => line.includes('sleep 5')).length).toBeLessThanOrEqual(1);
  });

  it('does not count failures inside the start period, and probes at the start interval there', async () => {
    await rig.ok(['run', '-d', '--name', 'grace', '--health-cmd', 'exit 1', '--health-interval', '1s', '--health-retries', '1', '--health-start-period', '60s', '--health-start-interval', '1s', rig.busybox, ...SLEEPER]);
    await eventually(async () => ((await health('grace')).Log.length >= 2 ? true : undefined), 'two probes');
    expect(await health('grace')).toMatchObject({ Status: 'starting', FailingStreak: 0 });

    // A 60 s interval, but a 1 s start interval inside the start period: healthy within seconds.
    await rig.ok(['run', '-d', '--name', 'quick', '--health-cmd', 'true', '--health-interval', '60s', '--health-start-period', '60s', '--health-start-interval', '1s', rig.busybox, ...SLEEPER]);
    await becomes('quick', 'healthy', 10_000);
  });

  it('uses the image healthcheck, honours --no-healthcheck, and stops probing with the container', async () => {
    const image = `${rig.registry.host}/berth-test/config:latest`;
    await rig.ok(['pull', '-q', image]);
    // The config image checks `test -f /hello.txt` every 5 s.
    await rig.ok(['run', '-d', '--name', 'fromimage', '--entrypoint', 'sh', image, '-c', 'trap "exit 0" TERM; while true; do sleep 0.2; done']);
    expect(JSON.parse(await rig.ok(['inspect', '--format', '{{json .Config.Healthcheck.Test}}', 'fromimage']))).toEqual(['CMD-SHELL', 'test -f /hello.txt']);
    await becomes('fromimage', 'healthy', 20_000);

    await rig.ok(['run', '-d', '--name', 'nocheck', '--no-healthcheck', '--entrypoint', 'sh', image, '-c', 'sleep 600']);
    expect(await rig.ok(['inspect', '--format', '{{json .State.Health}}', 'nocheck'])).toBe('null');
    expect(await psStatus('nocheck')).toMatch(/^Up [^(]*$/);

    await rig.ok(['stop', 'hc']);
    const atStop = (await health('hc')).Log.at(-1)?.End;
    await new Promise((r) => setTimeout(r, 2500));
    expect((await health('hc')).Log.at(-1)?.End).toBe(atStop);
    await rig.ok(['rm', '-f', 'nocheck', 'grace', 'quick', 'slowprobe', 'fromimage']);
  });

  it('resumes probing after berthd is killed and restarted', async () => {
    await rig.ok(['run', '-d', '--name', 'survivor', '--health-cmd', 'true', '--health-interval', '1s', rig.busybox, ...SLEEPER]);
    await becomes('survivor', 'healthy');
    process.kill(rig.berthd.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    stopRestarted = await restartBerthdInPlace(rig.berthd, [rig.registry.host]);
    // dockerd starts a restored container's health over at `starting`; the next probe makes it healthy again.
    // The log may come back empty: the probe that made it healthy was still being written when the kill came.
    const lastEnd = (await health('survivor')).Log.at(-1)?.End;
    const before = lastEnd ? Date.parse(lastEnd) : 0;
    await eventually(async () => {
      const h = await health('survivor');
      return h.Status === 'healthy' && Date.parse(h.Log.at(-1)?.End ?? '') > before ? true : undefined;
    }, 'a probe after the restart');
    await rig.ok(['stop', 'survivor']);
  });
});
