import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBlkioV1, parseIoStatV2, readCgroupFigures } from './cgroup-stats.js';
import { parseNetDev, parseProcStat } from './proc-stats.js';

let root: string;
const GiB = 1024 ** 3;
async function put(rel: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), text);
}
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'cgroup-stats-'));
  const c = '/berth/abc';
  await put(`cpuacct${c}/cpuacct.usage`, '5000000\n');
  await put(`cpuacct${c}/cpuacct.usage_percpu`, '3000000 2000000 \n');
  await put(`cpuacct${c}/cpuacct.stat`, 'user 30\nsystem 10\n');
  await put(`cpu${c}/cpu.stat`, 'nr_periods 4\nnr_throttled 1\nthrottled_time 777\n');
  await put(`memory${c}/memory.usage_in_bytes`, '1048576\n');
  await put(`memory${c}/memory.max_usage_in_bytes`, '2097152\n');
  await put(`memory${c}/memory.failcnt`, '0\n');
  await put(`memory${c}/memory.limit_in_bytes`, '9223372036854771712\n');
  await put(`memory${c}/memory.stat`, 'cache 4096\nrss 8192\ntotal_inactive_file 4096\n');
  await put(`pids${c}/pids.current`, '3\n');
  await put(`pids${c}/pids.max`, 'max\n');
  await put(`blkio${c}/blkio.throttle.io_service_bytes_recursive`, '8:0 Read 4096\n8:0 Write 0\n8:0 Total 4096\nTotal 4096\n');
  await put(`v2${c}/cpu.stat`, 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 2\nnr_throttled 0\nthrottled_usec 0\n');
  await put(`v2${c}/memory.current`, '65536\n');
  await put(`v2${c}/memory.max`, '67108864\n');
  await put(`v2${c}/memory.stat`, 'anon 1024\ninactive_file 2048\n');
  await put(`v2${c}/memory.events`, 'low 0\nhigh 0\nmax 0\noom 2\noom_kill 1\n');
  await put(`v2${c}/pids.current`, '1\n');
  await put(`v2${c}/pids.max`, '50\n');
  await put(`v2${c}/io.stat`, '254:0 rbytes=100 wbytes=200 rios=1 wios=2 dbytes=0 dios=0\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readCgroupFigures', () => {
  it('reads cgroup v1 controllers, reporting an unlimited memory limit as the machine memory', async () => {
    const f = await readCgroupFigures('v1', '/berth/abc', 2 * GiB, root);
    expect(f.cpu_stats.cpu_usage).toEqual({ total_usage: 5000000, percpu_usage: [3000000, 2000000], usage_in_kernelmode: 1e8, usage_in_usermode: 3e8 });
    expect(f.cpu_stats.throttling_data).toEqual({ periods: 4, throttled_periods: 1, throttled_time: 777 });
    expect(f.memory_stats).toMatchObject({ usage: 1048576, max_usage: 2097152, failcnt: 0, limit: 2 * GiB, stats: { cache: 4096, rss: 8192 } });
    expect(f.pids_stats).toEqual({ current: 3 });
    expect(f.blkio_stats.io_service_bytes_recursive).toEqual([
      { major: 8, minor: 0, op: 'Read', value: 4096 },
      { major: 8, minor: 0, op: 'Write', value: 0 },
      { major: 8, minor: 0, op: 'Total', value: 4096 },
    ]);
    expect(f.blkio_stats.io_queue_recursive).toBeNull();
  });

  it('reads a cgroup v2 directory in dockerd\'s v2 shape', async () => {
    const f = await readCgroupFigures('v2', '/berth/abc', 2 * GiB, path.join(root, 'v2'));
    expect(f.cpu_stats.cpu_usage).toEqual({ total_usage: 1500000, usage_in_kernelmode: 500000, usage_in_usermode: 1000000 });
    expect(f.memory_stats).toEqual({ usage: 65536, limit: 67108864, failcnt: 2, stats: { anon: 1024, inactive_file: 2048 } });
    expect(f.pids_stats).toEqual({ current: 1, limit: 50 });
    expect(f.blkio_stats.io_service_bytes_recursive).toEqual([
      { major: 254, minor: 0, op: 'read', value: 100 },
      { major: 254, minor: 0, op: 'write', value: 200 },
    ]);
    expect(f.blkio_stats.io_serviced_recursive).toBeNull();
  });

  it('leaves out what a missing controller cannot tell', async () => {
    const f = await readCgroupFigures('v2', '/nope', GiB, root);
    expect(f.memory_stats).toEqual({});
    expect(f.pids_stats).toEqual({});
  });
});

describe('/proc parsers', () => {
  it('sums user..softirq of /proc/stat in nanoseconds and counts online CPUs', () => {
    const s = parseProcStat('cpu  100 1 20 300 4 0 5 9 0 0\ncpu0 50 0 10 150 2 0 2 4 0 0\ncpu1 50 1 10 150 2 0 3 5 0 0\nintr 1\n');
    expect(s).toEqual({ systemCpuUsage: 430 * 1e7, onlineCpus: 2 });
  });

  it('reads interfaces from net/dev without the loopback', () => {
    const text = 'Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    lo:  100 2 0 0 0 0 0 0 100 2 0 0 0 0 0 0\n  eth0: 1500 10 1 2 0 0 0 0 700 5 3 4 0 0 0 0\n';
    expect(parseNetDev(text)).toEqual({
      eth0: { rx_bytes: 1500, rx_packets: 10, rx_errors: 1, rx_dropped: 2, tx_bytes: 700, tx_packets: 5, tx_errors: 3, tx_dropped: 4 },
    });
  });

  it('parses blkio and io.stat lines', () => {
    expect(parseBlkioV1('8:16 1234\n')).toEqual([{ major: 8, minor: 16, op: '', value: 1234 }]);
    expect(parseIoStatV2('')).toEqual([]);
  });
});
