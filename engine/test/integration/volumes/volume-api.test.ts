import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startBerthd, type RunningBerthd } from '../../../../scripts/src/testrig/index.js';
import { apiRequest } from '../http.js';

let berthd: RunningBerthd;
const cli = (args: string[]) => docker(args, { host: berthd.dockerHost });
const inspect = async (name: string) => (JSON.parse((await cli(['volume', 'inspect', name])).stdout) as Array<{ Mountpoint: string; CreatedAt: string; Labels: Record<string, string> | null; Options: Record<string, string> | null; [key: string]: unknown }>)[0];

beforeAll(async () => {
  berthd = await startBerthd();
});
afterAll(async () => {
  await berthd?.stop();
});

describe('docker volume against berthd', () => {
  it('creates a named volume under <data-root>/volumes/<name>/_data and inspects it', async () => {
    const r = await cli(['volume', 'create', '--label', 'app=db', 'data1']);
    expect(r.stdout.trim()).toBe('data1');
    const v = await inspect('data1');
    expect(v).toMatchObject({ Name: 'data1', Driver: 'local', Scope: 'local', Labels: { app: 'db' }, Options: null });
    expect(v?.Mountpoint).toBe(path.join(berthd.dataRoot, 'volumes', 'data1', '_data'));
    expect(v?.CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await stat(v?.Mountpoint ?? '')).isDirectory()).toBe(true);
    // Creating it again returns the same volume, as dockerd does.
    expect((await cli(['volume', 'create', 'data1'])).code).toBe(0);
  });

  it("rejects bad names, unknown drivers and options with dockerd's messages", async () => {
    expect((await cli(['volume', 'create', 'a/b'])).stderr).toContain(
      '"a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
    );
    expect((await cli(['volume', 'create', '-d', 'nfsplug', 'x1'])).stderr).toContain('plugin "nfsplug" not found');
    expect((await cli(['volume', 'create', '-o', 'foo=bar', 'x2'])).stderr).toContain('invalid option key: "foo"');
    expect((await cli(['volume', 'inspect', 'nope'])).stderr).toContain('get nope: no such volume');
  });

  it('lists with name, label, driver and dangling filters', async () => {
    await cli(['volume', 'create', 'other']);
    const ls = async (...f: string[]) => (await cli(['volume', 'ls', '-q', ...f.flatMap((x) => ['--filter', x])])).stdout.trim().split('\n').filter(Boolean).sort();
    expect(await ls('label=app=db')).toEqual(['data1']);
    expect(await ls('name=oth')).toEqual(['other']);
    expect(await ls('driver=local')).toEqual(['data1', 'other']);
    expect(await ls('dangling=true')).toEqual(['data1', 'other']);
    expect(await ls('dangling=false')).toEqual([]);
    expect((await cli(['volume', 'ls', '--filter', 'bogus=1'])).stderr).toContain("invalid filter 'bogus'");
  });

  it('keeps driver options (tmpfs, bind) as dockerode and the CLI show them', async () => {
    const client = new Docker({ socketPath: berthd.socket });
    await client.createVolume({ Name: 'bound', DriverOpts: { type: 'none', o: 'bind', device: '/srv/x' } });
    expect(await client.getVolume('bound').inspect()).toMatchObject({ Name: 'bound', Options: { type: 'none', o: 'bind', device: '/srv/x' } });
    await cli(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=1m', 'scratch']);
    expect((await inspect('scratch'))?.Options).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
    const listed = await client.listVolumes({ filters: { name: ['scratch'] } });
    expect(listed.Volumes.map((v) => v.Name)).toEqual(['scratch']);
    expect((await cli(['volume', 'rm', 'bound', 'scratch'])).code).toBe(0);
  });

  it('removes volumes (force ignores missing ones) and prunes anonymous ones unless --all', async () => {
    const anon = await apiRequest(berthd.socket, 'POST', '/v1.51/volumes/create', '{}');
    expect(anon.status).toBe(201);
    const anonName = (JSON.parse(anon.body) as { Name: string; Labels: Record<string, string> }).Name;
    expect(anonName).toMatch(/^[0-9a-f]{64}$/);
    expect((await inspect(anonName))?.Labels).toEqual({ 'com.docker.volume.anonymous': '' });
    const prune = await cli(['volume', 'prune', '-f']);
    expect(prune.stdout).toContain(anonName);
    expect(prune.stdout).not.toContain('data1');
    expect((await cli(['volume', 'rm', '-f', 'never-was'])).code).toBe(0);
    expect((await cli(['volume', 'rm', 'never-was'])).stderr).toContain('no such volume');
    const all = await cli(['volume', 'prune', '-f', '--all', '--filter', 'label=app=db']);
    expect(all.stdout).toContain('data1');
    expect(existsSync(path.join(berthd.dataRoot, 'volumes', 'data1'))).toBe(false);
    const rest = await cli(['volume', 'ls', '-q']);
    expect(rest.stdout.trim()).toBe('other');
  });
});
