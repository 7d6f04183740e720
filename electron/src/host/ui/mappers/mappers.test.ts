import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { containerDetail, containerRow } from './containers.js';
import { imageDetail, imageRow } from './images.js';
import { networkRow, volumeRow, volumeUsers } from './resources.js';
import { statsSample } from './stats.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

describe('container rows from GET /containers/json', () => {
  const rows = fixture('containers-json.json').map(containerRow);

  it('names a container without the leading slash and takes its Compose project and service', () => {
    expect(rows[0]).toMatchObject({ name: 'shop-web-1', project: 'shop', service: 'web', state: 'running', image: 'nginx:1.27' });
    expect(rows[2]).toMatchObject({ name: 'happy_turing', state: 'exited' });
    expect(rows[2].project).toBeUndefined();
  });

  it('shows a port published on IPv4 and IPv6 once', () => {
    expect(rows[0].ports).toEqual([{ privatePort: 80, publicPort: 8080, ip: '0.0.0.0', type: 'tcp' }]);
    expect(rows[1].ports).toEqual([{ privatePort: 5432, type: 'tcp' }]);
  });
});

describe('container detail from GET /containers/{id}/json', () => {
  const d = containerDetail(fixture('container-inspect.json'));

  it('has what the readable inspect view shows', () => {
    expect(d).toMatchObject({
      name: 'shop-web-1', image: 'nginx:1.27', state: 'running', startedAt: '2024-11-22T10:06:41.5Z', tty: false,
      restartPolicy: 'unless-stopped', networks: [{ name: 'shop_default', ipAddress: '172.18.0.3' }],
      mounts: [{ type: 'bind', source: '/home/me/shop/nginx.conf', destination: '/etc/nginx/nginx.conf', readOnly: true }],
    });
    expect(d.finishedAt).toBeUndefined();
    expect(d.ports).toEqual([{ privatePort: 80, publicPort: 8080, ip: '0.0.0.0', type: 'tcp' }, { privatePort: 443, type: 'tcp' }]);
  });
});

describe('stats samples from GET /containers/{id}/stats', () => {
  it('computes CPU% like the docker CLI and subtracts the page cache from memory', () => {
    const s = statsSample(fixture('stats.json'));
    // (2.5e9 - 2.0e9) / (100e9 - 96e9) * 4 CPUs * 100
    expect(s.cpuPercent).toBeCloseTo(50);
    expect(s.memoryBytes).toBe(52428800 - 10485760);
    expect(s).toMatchObject({ memoryLimitBytes: 8589934592, netRxBytes: 5000, netTxBytes: 3000, blockReadBytes: 1048576, blockWriteBytes: 4096, pids: 3 });
    expect(s.at).toBe(Date.parse('2024-11-22T12:00:01Z'));
  });

  it('reports 0% on the first sample, which has no previous CPU reading', () => {
    const raw = fixture('stats.json');
    raw.precpu_stats = { cpu_usage: { total_usage: 0 }, throttling_data: {} };
    expect(statsSample(raw).cpuPercent).toBeGreaterThanOrEqual(0);
    raw.precpu_stats = { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 };
    raw.cpu_stats.system_cpu_usage = 0;
    expect(statsSample(raw).cpuPercent).toBe(0);
  });
});

describe('image rows and detail', () => {
  it('drops <none> tags and digests, keeps every tag', () => {
    const [nginx, dangling] = fixture('images-json.json').map(imageRow);
    expect(nginx).toMatchObject({ tags: ['nginx:1.27', 'nginx:latest'], containers: 2, size: 191670474 });
    expect(dangling).toMatchObject({ tags: [], digests: [], containers: -1 });
  });

  it('joins inspect and history', () => {
    const d = imageDetail(fixture('image-inspect.json'), fixture('image-history.json'));
    expect(d).toMatchObject({ os: 'linux', architecture: 'amd64', entrypoint: ['/docker-entrypoint.sh'], exposedPorts: ['80/tcp'], workingDir: '' });
    expect(d.layers).toHaveLength(2);
    expect(d.history.map((h) => h.size)).toEqual([0, 74780000]);
  });
});

describe('volumes and networks', () => {
  const { volumes, networks } = fixture('volumes-networks.json');

  it('lists who uses a volume from the containers list', () => {
    const users = volumeUsers(fixture('containers-json.json'));
    expect(volumeRow(volumes.Volumes[0], users.get('shop_pgdata'))).toMatchObject({ name: 'shop_pgdata', usedBy: ['shop-db-1'], size: -1 });
  });

  it('takes the first IPAM subnet and counts attached containers', () => {
    expect(networks.map((n: never) => networkRow(n))).toMatchObject([
      { name: 'bridge', subnet: '172.17.0.0/16', gateway: '172.17.0.1', containers: 0 },
      { name: 'shop_default', subnet: '172.18.0.0/16', containers: 2 },
    ]);
  });
});
