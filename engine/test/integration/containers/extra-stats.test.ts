import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiRequest } from '../http.js';
import { startContainerRig, type ContainerRig } from './harness.js';

let rig: ContainerRig;
beforeAll(async () => {
  rig = await startContainerRig();
  // One container burning a CPU under a memory limit, one idle that never ran.
  await rig.ok(['run', '-d', '--name', 'busy', '--memory', '64m', '--pids-limit', '50', rig.busybox, 'sh', '-c', 'while true; do :; done']);
  await rig.ok(['create', '--name', 'idle', rig.busybox, 'true']);
});
afterAll(async () => {
  await rig?.docker(['rm', '-f', 'busy', 'idle']);
  await rig?.stop();
});

interface Sample {
  name: string;
  id: string;
  read: string;
  preread: string;
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number };
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats: { current?: number; limit?: number };
  blkio_stats: Record<string, unknown>;
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
}

describe('container stats', () => {
  it('docker stats --no-stream shows CPU %, memory usage against the limit, and pids', async () => {
    const line = await rig.ok(['stats', '--no-stream', '--format', '{{json .}}', 'busy']);
    const row = JSON.parse(line) as { Name: string; CPUPerc: string; MemUsage: string; PIDs: string; NetIO: string };
    expect(row.Name).toBe('busy');
    // A shell spinning on one CPU: anything well above idle proves the two-sample CPU delta works.
    expect(Number.parseFloat(row.CPUPerc)).toBeGreaterThan(20);
    expect(row.MemUsage).toMatch(/^[\d.]+[KMG]?i?B \/ 64MiB$/);
    expect(Number(row.PIDs)).toBeGreaterThanOrEqual(1);
    expect(row.NetIO).toMatch(/B \/ .*B$/);
  });

  it('stream=false answers one sample with precpu_stats from a previous sample', async () => {
    const r = await apiRequest(rig.berthd.socket, 'GET', '/containers/busy/stats?stream=false');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    const s = JSON.parse(r.body) as Sample;
    expect(s.name).toBe('/busy');
    expect(s.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(s.precpu_stats.cpu_usage.total_usage);
    expect(s.precpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);
    expect(s.cpu_stats.system_cpu_usage).toBeGreaterThan(s.precpu_stats.system_cpu_usage ?? 0);
    expect(s.cpu_stats.online_cpus).toBeGreaterThanOrEqual(1);
    expect(Date.parse(s.read)).toBeGreaterThan(Date.parse(s.preread));
    expect(s.memory_stats.limit).toBe(64 * 1024 * 1024);
    expect(s.memory_stats.usage).toBeGreaterThan(0);
    expect(s.pids_stats).toMatchObject({ limit: 50 });
    expect(s.pids_stats.current).toBeGreaterThanOrEqual(1);
    expect(Object.keys(s.networks ?? {})).toContain('eth0');
    expect(s.blkio_stats).toHaveProperty('io_service_bytes_recursive');
  });

  it('one-shot answers at once without a previous sample', async () => {
    const r = await apiRequest(rig.berthd.socket, 'GET', '/containers/busy/stats?stream=false&one-shot=true');
    const s = JSON.parse(r.body) as Sample;
    expect(s.cpu_stats.cpu_usage.total_usage).toBeGreaterThan(0);
    expect(s.precpu_stats.cpu_usage.total_usage).toBe(0);
    expect(s.preread).toBe('0001-01-01T00:00:00Z');
  });

  it('a container that is not running gets an empty sample', async () => {
    const r = await apiRequest(rig.berthd.socket, 'GET', '/containers/idle/stats?stream=false');
    const s = JSON.parse(r.body) as Sample;
    expect(s).toMatchObject({ name: '/idle', read: '0001-01-01T00:00:00Z', memory_stats: {}, pids_stats: {} });
    const missing = await apiRequest(rig.berthd.socket, 'GET', '/containers/nope/stats?stream=false');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ message: 'No such container: nope' });
  });

  it('dockerode streams samples, each carrying the previous one as precpu_stats', async () => {
    const client = new Docker({ socketPath: rig.berthd.socket });
    const one = (await client.getContainer('busy').stats({ stream: false })) as unknown as Sample;
    expect(one.memory_stats.limit).toBe(64 * 1024 * 1024);
    const stream = (await client.getContainer('busy').stats({ stream: true })) as NodeJS.ReadableStream & { destroy(): void };
    const samples: Sample[] = [];
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          samples.push(JSON.parse(buffered.slice(0, nl)) as Sample);
          buffered = buffered.slice(nl + 1);
        }
        if (samples.length >= 2) resolve();
      });
      stream.on('error', reject);
    });
    stream.destroy();
    const [first, second] = samples as [Sample, Sample];
    expect(first.preread).toBe('0001-01-01T00:00:00Z');
    expect(second.preread).toBe(first.read);
    expect(second.precpu_stats.cpu_usage.total_usage).toBe(first.cpu_stats.cpu_usage.total_usage);
  });
});
