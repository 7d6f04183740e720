import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../http.js';
import { startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  await rig?.stop();
});

// A container that exits 0 on SIGTERM, as a well-behaved service does.
const SERVICE = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'];

async function state(name: string): Promise<{ Status: string; ExitCode: number; Running: boolean; Paused: boolean; OOMKilled: boolean }> {
  return JSON.parse(await rig.ok(['inspect', '--format', '{{json .State}}', name]));
}

describe('container lifecycle with the real docker CLI', () => {
  it('runs detached, shows in ps, stops gracefully with the stop signal', async () => {
    const id = await rig.ok(['run', '-d', '--name', 'svc', rig.busybox, ...SERVICE]);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(await rig.ok(['ps', '--format', '{{.Names}} {{.Status}}'])).toMatch(/^svc Up /m);
    expect(await rig.ok(['stop', 'svc'])).toBe('svc');
    expect(await state('svc')).toMatchObject({ Status: 'exited', ExitCode: 0, Running: false });
    expect(await rig.ok(['ps', '-a', '--filter', 'name=svc', '--format', '{{.Status}}'])).toMatch(/^Exited \(0\) /);
    expect(await rig.ok(['ps', '--filter', 'name=svc', '-q'])).toBe('');
  });

  it('stops with SIGKILL after the timeout when the process ignores the stop signal', async () => {
    await rig.ok(['run', '-d', '--name', 'stubborn', rig.busybox, 'sleep', '600']);
    await rig.ok(['stop', '-t', '1', 'stubborn']);
    expect(await state('stubborn')).toMatchObject({ Status: 'exited', ExitCode: 137 });
  });

  it('restarts, keeping the same container', async () => {
    await rig.ok(['start', 'svc']);
    const before = JSON.parse(await rig.ok(['inspect', '--format', '{{json .State.StartedAt}}', 'svc'])) as string;
    await rig.ok(['restart', '-t', '2', 'svc']);
    const after = JSON.parse(await rig.ok(['inspect', '--format', '{{json .State.StartedAt}}', 'svc'])) as string;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    expect((await state('svc')).Running).toBe(true);
  });

  it('pauses and unpauses', async () => {
    await rig.ok(['pause', 'svc']);
    expect(await state('svc')).toMatchObject({ Status: 'paused', Paused: true });
    expect(await rig.ok(['ps', '--filter', 'name=svc', '--format', '{{.Status}}'])).toMatch(/\(Paused\)$/);
    const again = await rig.docker(['pause', 'svc']);
    expect(again.stderr).toContain('is already paused');
    await rig.ok(['unpause', 'svc']);
    expect(await state('svc')).toMatchObject({ Status: 'running', Paused: false });
  });

  it('refuses to remove a running container unless forced', async () => {
    const r = await rig.docker(['rm', 'svc']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('cannot remove container "/svc": container is running: stop the container before removing or force remove');
    await rig.ok(['rm', '-f', 'svc']);
    const gone = await rig.docker(['inspect', 'svc']);
    expect(gone.stderr).toContain('No such object: svc');
  });

  it('kills with a chosen signal and reports 128+signal', async () => {
    await rig.ok(['run', '-d', '--name', 'victim', rig.busybox, 'sleep', '600']);
    await rig.ok(['kill', '-s', 'KILL', 'victim']);
    expect(await state('victim')).toMatchObject({ Status: 'exited', ExitCode: 137 });
    const r = await rig.docker(['kill', 'victim']);
    expect(r.stderr).toContain('is not running');
  });

  it('docker wait returns the exit code', async () => {
    await rig.ok(['run', '-d', '--name', 'three', rig.busybox, 'sh', '-c', 'sleep 0.3; exit 3']);
    expect(await rig.ok(['wait', 'three'])).toBe('3');
  });

  it('renames, and refuses a name in use with dockerd\'s message', async () => {
    await rig.ok(['rename', 'three', 'four']);
    expect(await rig.ok(['inspect', '--format', '{{.Name}}', 'four'])).toBe('/four');
    await rig.ok(['create', '--name', 'five', rig.busybox, 'true']);
    const r = await rig.docker(['rename', 'four', 'five']);
    expect(r.stderr).toMatch(/Conflict\. The container name "\/five" is already in use by container "[0-9a-f]{64}"/);
    const dup = await rig.docker(['create', '--name', 'five', rig.busybox, 'true']);
    expect(dup.stderr).toContain('The container name "/five" is already in use');
  });

  it('--rm removes the container after it exits', async () => {
    const id = await rig.ok(['run', '-d', '--rm', rig.busybox, 'sh', '-c', 'sleep 0.2']);
    expect((await rig.docker(['wait', '--condition', 'removed', id]).catch(() => undefined))).toBeDefined();
    for (let i = 0; i < 50; i++) {
      if ((await rig.docker(['inspect', id])).code !== 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await rig.docker(['inspect', id])).stderr).toContain('No such object');
  });

  it('restarts on failure up to the retry count', async () => {
    await rig.ok(['run', '-d', '--name', 'flaky', '--restart', 'on-failure:2', rig.busybox, 'sh', '-c', 'exit 1']);
    for (let i = 0; i < 100; i++) {
      const s = JSON.parse(await rig.ok(['inspect', '--format', '{{json .}}', 'flaky'])) as { RestartCount: number; State: { Status: string } };
      if (s.RestartCount === 2 && s.State.Status === 'exited') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await rig.ok(['inspect', '--format', '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}', 'flaky'])).toBe('2 exited 1');
  });

  it('rejects invalid names and restart policies with dockerd\'s messages', async () => {
    const bad = await rig.docker(['create', '--name', '-bad', rig.busybox, 'true']);
    expect(bad.stderr).toContain('Invalid container name (-bad), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed');
    // The CLI refuses --rm with --restart itself; the API must refuse it too, for other clients.
    const body = JSON.stringify({ Image: rig.busybox, Cmd: ['true'], HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } });
    const rm = await apiRequest(rig.berthd.socket, 'POST', '/containers/create', body);
    expect(rm.status).toBe(400);
    expect(JSON.parse(rm.body).message).toBe("can't create 'AutoRemove' container with restart policy");
    const policy = JSON.stringify({ Image: rig.busybox, Cmd: ['true'], HostConfig: { RestartPolicy: { Name: 'sometimes' } } });
    const bad2 = await apiRequest(rig.berthd.socket, 'POST', '/containers/create', policy);
    expect(JSON.parse(bad2.body).message).toBe("invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
  });

  it('pulls a missing image on docker run, as the CLI expects a 404 first', async () => {
    const ref = `${rig.registry.host}/berth-test/busybox:oci`;
    const r = await rig.docker(['run', '-d', '--name', 'pulled', ref, 'true']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Unable to find image '${ref}' locally`);
    expect(await rig.ok(['wait', 'pulled'])).toBe('0');
  });

  it('emits create, start, die and destroy events', async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const id = await rig.ok(['run', '-d', rig.busybox, 'true']);
    await rig.ok(['wait', id]);
    await rig.ok(['rm', id]);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const out = await rig.ok(['events', '--since', since, '--until', until, '--filter', `container=${id}`, '--format', '{{.Action}}']);
    expect(out.split('\n')).toEqual(['create', 'start', 'die', 'destroy']);
  });
});
