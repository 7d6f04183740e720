import { statSync, readFileSync } from 'node:fs';
import os from 'node:os';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startBerthd, type RunningBerthd } from '../../../../scripts/src/testrig/index.js';
import { apiRequest } from '../http.js';

let berthd: RunningBerthd;
let startedAt: number;

beforeAll(async () => {
  startedAt = Math.floor(Date.now() / 1000) - 1;
  berthd = await startBerthd();
});
afterAll(async () => {
  await berthd?.stop();
});

describe('the real docker CLI against berthd', () => {
  it('docker version shows the Berth engine and its API range', async () => {
    const r = await docker(['version'], { host: berthd.dockerHost });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Server: Berth Engine \d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/API version:\s+1\.51 \(minimum version 1\.24\)/);
  });

  it('docker info reports real figures of this machine', async () => {
    const r = await docker(['info', '--format', '{{json .}}'], { host: berthd.dockerHost });
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(info).toMatchObject({
      NCPU: os.cpus().length,
      MemTotal: os.totalmem(),
      KernelVersion: os.release(),
      OSType: 'linux',
      Containers: 0,
      Images: 0,
      DockerRootDir: berthd.dataRoot,
    });
    expect(info.OperatingSystem).toMatch(/\S/);
    expect((info.Swarm as { LocalNodeState: string }).LocalNodeState).toBe('inactive');
  });

  it("an API version below the minimum fails with dockerd's too-old text", async () => {
    const r = await docker(['version'], { host: berthd.dockerHost, env: { DOCKER_API_VERSION: '1.12' } });
    expect(r.code).not.toBe(0);
    // CLI 26 prints the JSON body raw for a request below API 1.24 (it only decodes errors from 1.24 on), as it does
    // against dockerd; CLI 28 decodes it. Either way the user reads dockerd's words.
    expect(r.stderr).toMatch(/^Error response from daemon: /);
    expect(r.stderr).toContain(
      'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version',
    );
  });

  it('docker system events replays the daemon start event and honours filters', async () => {
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const all = await docker(['system', 'events', '--since', String(startedAt), '--until', until, '--format', '{{json .}}'], {
      host: berthd.dockerHost,
    });
    expect(all.code).toBe(0);
    const events = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as { Type: string; Action: string });
    expect(events).toContainEqual(expect.objectContaining({ Type: 'daemon', Action: 'start' }));
    const none = await docker(
      ['system', 'events', '--since', String(startedAt), '--until', until, '--filter', 'type=container'],
      { host: berthd.dockerHost },
    );
    expect(none.code).toBe(0);
    expect(none.stdout.trim()).toBe('');
    const bad = await docker(['system', 'events', '--since', String(startedAt), '--until', until, '--filter', 'foo=bar'], {
      host: berthd.dockerHost,
    });
    expect(bad.stderr).toContain("invalid filter 'foo'");
  });

  it('docker ps works and lists nothing yet', async () => {
    const r = await docker(['ps', '-a'], { host: berthd.dockerHost });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^CONTAINER ID\s+IMAGE/);
  });
});

describe('the HTTP protocol', () => {
  it("answers a missing container with dockerd's 404 body and headers", async () => {
    const r = await apiRequest(berthd.socket, 'GET', '/v1.41/containers/nope/json');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.body)).toEqual({ message: 'No such container: nope' });
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['api-version']).toBe('1.51');
    expect(r.headers.ostype).toBe('linux');
    expect(r.headers.server).toMatch(/^Berth\/\S+ \(linux\)$/);
  });

  it('routes with and without the version prefix alike', async () => {
    const bare = await apiRequest(berthd.socket, 'GET', '/version');
    const versioned = await apiRequest(berthd.socket, 'GET', '/v1.44/version');
    expect(bare.status).toBe(200);
    expect(JSON.parse(versioned.body).ApiVersion).toBe(JSON.parse(bare.body).ApiVersion);
  });

  it("rejects a too-new version with dockerd's text", async () => {
    const r = await apiRequest(berthd.socket, 'GET', '/v1.99/version');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe('client version 1.99 is too new. Maximum supported API version is 1.51');
  });

  it('answers unknown endpoints and methods 404 page not found', async () => {
    for (const [method, path] of [['GET', '/nope'], ['DELETE', '/version'], ['GET', '/v1.41/what/ever']] as const) {
      const r = await apiRequest(berthd.socket, method, path);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.body)).toEqual({ message: 'page not found' });
      expect(r.headers['api-version']).toBe('1.51');
    }
  });

  it('answers GET and HEAD /_ping with the headers clients negotiate from', async () => {
    const get = await apiRequest(berthd.socket, 'GET', '/_ping');
    expect(get.status).toBe(200);
    expect(get.body).toBe('OK');
    const head = await apiRequest(berthd.socket, 'HEAD', '/_ping');
    expect(head.status).toBe(200);
    for (const r of [get, head]) {
      expect(r.headers).toMatchObject({ 'api-version': '1.51', swarm: 'inactive', 'cache-control': 'no-cache, no-store, must-revalidate' });
    }
  });

  it('accepts both JSON shapes of filters and every spelling of booleans', async () => {
    for (const filters of ['{"status":{"running":true}}', '{"status":["running"]}']) {
      for (const all of ['1', '0', 'true', 'false', 'True', 'False']) {
        const r = await apiRequest(berthd.socket, 'GET', `/containers/json?all=${all}&filters=${encodeURIComponent(filters)}`);
        expect(r.status).toBe(200);
        expect(JSON.parse(r.body)).toEqual([]);
      }
    }
    const ev = await apiRequest(berthd.socket, 'GET', `/events?since=0&until=1&filters=${encodeURIComponent('{"type":{"daemon":true}}')}`);
    expect(ev.status).toBe(200);
  });

  it('answers swarm endpoints as a node outside any swarm', async () => {
    const r = await apiRequest(berthd.socket, 'GET', '/services');
    expect(r.status).toBe(503);
    expect(JSON.parse(r.body).message).toMatch(/^This node is not a swarm manager/);
  });
});

describe('dockerode against berthd', () => {
  it('negotiates, reads version and info, and streams events until `until`', async () => {
    const client = new Docker({ socketPath: berthd.socket });
    expect((await client.version()).ApiVersion).toBe('1.51');
    expect((await client.info()).NCPU).toBe(os.cpus().length);
    const stream = await client.getEvents({ since: startedAt, until: Math.floor(Date.now() / 1000) + 2 });
    const text = await new Promise<string>((resolve, reject) => {
      let buf = '';
      stream.on('data', (c: Buffer) => (buf += c.toString()));
      stream.on('end', () => resolve(buf));
      stream.on('error', reject);
    });
    const first = JSON.parse(text.split('\n')[0] as string) as { Type: string; timeNano: number };
    expect(first.Type).toBe('daemon');
    expect(first.timeNano).toBeGreaterThan(startedAt * 1e9);
  });
});

describe('the daemon process', () => {
  it('serves its socket with mode 0660 and writes its pidfile', () => {
    expect(statSync(berthd.socket).mode & 0o777).toBe(0o660);
    expect(readFileSync(berthd.pidfile, 'utf8').trim()).toBe(String(berthd.pid));
  });
});
