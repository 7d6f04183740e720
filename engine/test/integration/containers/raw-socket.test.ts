// A raw socket (`--raw-host`, the VM's /var/run/docker.sock.raw) is Docker Desktop's unfiltered engine: extension
// containers, hidden from `docker ps` on berthd's ordinary socket while Settings → "Show extension containers" is
// off, are listed there, as an extension backend that bind-mounts it to manage its own containers expects.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from './harness.js';

function post(socketPath: string, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method: 'POST', path: p }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the raw socket hides no extension container', () => {
  let rig: ContainerRig;
  let dir: string;
  let raw: string;
  const names = async (host: string) => {
    const r = await docker(['ps', '-a', '--format', '{{.Names}}'], { host });
    if (r.code !== 0) throw new Error(`docker -H ${host} ps: ${r.stderr}`);
    return r.stdout.split('\n').filter(Boolean).sort();
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'berth-raw-'));
    raw = path.join(dir, 'docker.sock.raw');
    rig = await startContainerRig({ extraArgs: ['--raw-host', `unix://${raw}`] });
    await rig.ok(['create', '--name', 'ext-backend', '--label', 'com.docker.desktop.extension=true', rig.busybox, 'true']);
    await rig.ok(['create', '--name', 'plain', rig.busybox, 'true']);
  }, 120_000);

  afterAll(async () => {
    await rig?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists extension containers on the raw socket and hides them on the ordinary one while the setting is off', async () => {
    expect(await names(rig.berthd.dockerHost)).toEqual(['plain']);
    expect(await names(`unix://${raw}`)).toEqual(['ext-backend', 'plain']);
    // The raw socket is the same engine: what is made through it is seen through the ordinary socket.
    const made = await docker(['create', '--name', 'via-raw', rig.busybox, 'true'], { host: `unix://${raw}` });
    expect(made.code).toBe(0);
    expect(await names(rig.berthd.dockerHost)).toEqual(['plain', 'via-raw']);
  });

  it('shows them on both once the setting is on', async () => {
    expect(await post(rig.berthd.socket, '/berth/extension-containers?show=1')).toBe(204);
    expect(await names(rig.berthd.dockerHost)).toEqual(['ext-backend', 'plain', 'via-raw']);
    expect(await names(`unix://${raw}`)).toEqual(['ext-backend', 'plain', 'via-raw']);
    expect(await post(rig.berthd.socket, '/berth/extension-containers?show=0')).toBe(204);
  });

  it('removes the raw socket when berthd stops', async () => {
    await rig.berthd.stop();
    expect(existsSync(raw)).toBe(false);
  }, 30_000);
});
