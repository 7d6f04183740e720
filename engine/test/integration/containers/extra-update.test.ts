import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../http.js';
import { startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
});
afterAll(async () => {
  const ids = (await rig?.ok(['ps', '-aq']))?.split('\n').filter(Boolean) ?? [];
  if (ids.length > 0) await rig.docker(['rm', '-f', ...ids]);
  await rig?.stop();
});

async function hostConfig(name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await rig.ok(['inspect', '--format', '{{json .HostConfig}}', name])) as Record<string, unknown>;
}

/** A cgroup file of the container's init process, v1 (per controller) or v2, found through /proc/<pid>/cgroup. */
async function cgroupFile(name: string, v1: [string, string], v2: string): Promise<string> {
  const pid = await rig.ok(['inspect', '--format', '{{.State.Pid}}', name]);
  const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).trim().split('\n').map((l) => l.split(':'));
  const controller = lines.find((l) => (l[1] ?? '').split(',').includes(v1[0]));
  if (controller) return (await readFile(path.join('/sys/fs/cgroup', v1[0], controller[2] ?? '', v1[1]), 'utf8')).trim();
  const unified = lines.find((l) => l[0] === '0');
  return (await readFile(path.join('/sys/fs/cgroup', unified?.[2] ?? '', v2), 'utf8')).trim();
}

describe('docker update', () => {
  it('changes resources and the restart policy of a running container, in inspect and in its cgroup', async () => {
    await rig.ok(['run', '-d', '--name', 'upd', rig.busybox, 'sleep', '600']);
    expect(await rig.ok(['update', '--memory', '64m', '--memory-swap', '128m', '--cpus', '0.5', '--cpu-shares', '512', '--pids-limit', '30', '--restart', 'on-failure:3', 'upd'])).toBe('upd');
    expect(await hostConfig('upd')).toMatchObject({
      Memory: 64 * 1024 * 1024,
      MemorySwap: 128 * 1024 * 1024,
      NanoCpus: 500_000_000,
      CpuShares: 512,
      PidsLimit: 30,
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
    });
    const memory = await cgroupFile('upd', ['memory', 'memory.limit_in_bytes'], 'memory.max');
    expect(Number(memory)).toBe(64 * 1024 * 1024);
    expect(await cgroupFile('upd', ['pids', 'pids.max'], 'pids.max')).toBe('30');
    const quota = await cgroupFile('upd', ['cpu', 'cpu.cfs_quota_us'], 'cpu.max');
    expect(quota.split(' ')[0]).toBe('50000');
  });

  it('refuses what dockerd refuses, with its messages', async () => {
    const overSwap = await rig.docker(['update', '--memory', '300m', 'upd']);
    expect(overSwap.stderr).toContain('Cannot update container');
    expect(overSwap.stderr).toContain('Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    const swapBelow = await rig.docker(['update', '--memory', '64m', '--memory-swap', '32m', 'upd']);
    expect(swapBelow.stderr).toContain('Minimum memoryswap limit should be larger than memory limit, see usage');
    const tiny = await rig.docker(['update', '--memory', '1m', 'upd']);
    expect(tiny.stderr).toContain('Minimum memory limit allowed is 6MB');
    const policy = await rig.docker(['update', '--restart', 'sometimes', 'upd']);
    expect(policy.code).not.toBe(0);
    expect((await hostConfig('upd')).Memory).toBe(64 * 1024 * 1024);
  });

  it('a memory limit below what the container uses fails with the runtime\'s reason and keeps the old limits (cgroup v1)', async (ctx) => {
    // cgroup v1 refuses a limit it cannot reclaim down to (EBUSY); v2 accepts it and OOM-kills instead, as on dockerd.
    if (!existsSync('/sys/fs/cgroup/memory')) ctx.skip('cgroup v1 behaviour: this host has no v1 memory controller, and v2 accepts the limit (then OOM-kills), as with dockerd');
    // Shared memory cannot be reclaimed without swap room, so the kernel refuses the lower limit.
    await rig.ok(['run', '-d', '--name', 'hog', '--shm-size', '64m', rig.busybox, 'sh', '-c', 'head -c 24000000 /dev/zero > /dev/shm/fill; sleep 600']);
    for (let i = 0; i < 50 && Number(await cgroupFile('hog', ['memory', 'memory.usage_in_bytes'], 'memory.current')) < 24_000_000; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await rig.docker(['update', '--memory', '8m', '--memory-swap', '8m', 'hog']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Cannot update container');
    expect(await hostConfig('hog')).toMatchObject({ Memory: 0, MemorySwap: 0 });
  });

  it('persists an update of a stopped container, applied at its next start', async () => {
    await rig.ok(['create', '--name', 'later', rig.busybox, 'sleep', '600']);
    await rig.ok(['update', '--memory', '32m', '--memory-swap', '-1', '--restart', 'always', 'later']);
    expect(await hostConfig('later')).toMatchObject({ Memory: 32 * 1024 * 1024, MemorySwap: -1, RestartPolicy: { Name: 'always' } });
    await rig.ok(['start', 'later']);
    expect(Number(await cgroupFile('later', ['memory', 'memory.limit_in_bytes'], 'memory.max'))).toBe(32 * 1024 * 1024);
  });

  it('answers {Warnings} over the API and 404 for an unknown container', async () => {
    const r = await apiRequest(rig.berthd.socket, 'POST', '/containers/upd/update', JSON.stringify({ CpuShares: 256 }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toHaveProperty('Warnings');
    const missing = await apiRequest(rig.berthd.socket, 'POST', '/containers/nope/update', JSON.stringify({ CpuShares: 256 }));
    expect(missing.status).toBe(404);
  });
});

describe('sizes', () => {
  it('docker ps -s and inspect -s report the writable layer and the virtual size', async () => {
    await rig.ok(['run', '--name', 'sized', rig.busybox, 'sh', '-c', 'head -c 20000 /dev/zero > /tmp/blob']);
    const inspect = JSON.parse(await rig.ok(['inspect', '-s', '--format', '{{json .}}', 'sized'])) as { SizeRw: number; SizeRootFs: number };
    expect(inspect.SizeRw).toBeGreaterThanOrEqual(20000);
    expect(inspect.SizeRootFs).toBeGreaterThan(inspect.SizeRw);
    const row = await rig.ok(['ps', '-a', '-s', '--filter', 'name=sized', '--format', '{{.Size}}']);
    expect(row).toMatch(/^20(\.\d)?kB \(virtual [\d.]+[kMG]B\)$/);
    const plain = JSON.parse((await apiRequest(rig.berthd.socket, 'GET', '/containers/json?all=1')).body) as Array<Record<string, unknown>>;
    expect(plain[0]).not.toHaveProperty('SizeRw');
  });
});

describe('docker container prune', () => {
  it('removes stopped containers the filters select, keeps running ones, and sends a prune event', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await rig.ok(['create', '--name', 'keepme', '--label', 'keep=1', rig.busybox, 'true']);
    const gone = await rig.ok(['create', '--name', 'goner', rig.busybox, 'true']);
    await rig.ok(['run', '-d', '--name', 'alive', rig.busybox, 'sleep', '600']);
    const out = await rig.ok(['container', 'prune', '-f', '--filter', 'label!=keep']);
    expect(out).toContain('Deleted Containers:');
    expect(out).toContain(gone);
    expect(out).toMatch(/Total reclaimed space: /);
    const names = (await rig.ok(['ps', '-a', '--format', '{{.Names}}'])).split('\n');
    expect(names).toContain('keepme');
    expect(names).toContain('alive');
    expect(names).not.toContain('goner');
    const events = await rig.ok(['events', '--since', String(since), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'type=container', '--filter', 'event=prune', '--format', '{{.Action}} {{index .Actor.Attributes "reclaimed"}}']);
    expect(events).toMatch(/^prune \d+$/);
  });

  it('filters by until and rejects unknown filters', async () => {
    const r = await apiRequest(rig.berthd.socket, 'POST', `/containers/prune?filters=${encodeURIComponent(JSON.stringify({ until: ['1h'] }))}`);
    expect(JSON.parse(r.body)).toEqual({ ContainersDeleted: null, SpaceReclaimed: 0 });
    const bad = await apiRequest(rig.berthd.socket, 'POST', `/containers/prune?filters=${encodeURIComponent(JSON.stringify({ name: ['x'] }))}`);
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ message: "invalid filter 'name'" });
    const all = await rig.ok(['container', 'prune', '-f']);
    expect(all).toContain('Deleted Containers:');
    expect(await rig.ok(['ps', '-a', '--format', '{{.Names}}'])).not.toContain('keepme');
  });
});
