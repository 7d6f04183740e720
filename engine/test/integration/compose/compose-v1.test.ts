import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../../../scripts/src/testrig/index.js';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';
import { httpGetEventually } from '../http.js';

let rig: ContainerRig;
let dir: string;
let port: number;

function compose(args: string[]): { code: number; out: string } {
  const r = spawnSync('docker-compose', ['--project-name', 'berthapp', ...args], {
    cwd: dir,
    env: { ...process.env, DOCKER_HOST: rig.berthd.dockerHost, COMPOSE_INTERACTIVE_NO_CLI: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  rig = await startContainerRig();
  port = await freeLoopbackPort();
  dir = mkdtempSync(path.join(os.tmpdir(), 'berth-compose-'));
  writeFileSync(
    path.join(dir, 'docker-compose.yml'),
    `version: "3.8"
services:
  web:
    image: ${rig.busybox}
    command: sh -c 'mkdir -p /data/www && [ -f /data/www/index.html ] || echo "first boot" > /data/www/index.html; exec httpd -f -p 80 -h /data/www'
    ports: ["127.0.0.1:${port}:80"]
    volumes: ["content:/data"]
    stop_grace_period: 1s
  client:
    image: ${rig.busybox}
    command: sh -c 'trap "exit 0" TERM; until ping -c 1 -W 1 web; do sleep 0.2; done; while true; do sleep 0.2; done'
    depends_on: [web]
    stop_grace_period: 1s
volumes:
  content: {}
`,
  );
});
afterAll(async () => {
  if (dir) compose(['down', '-v']);
  await rig?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('docker-compose (v1, with docker-py) against berthd', () => {
  it('brings a project up: network, volume, containers, published port', async () => {
    const up = compose(['up', '-d']);
    expect(up.code, up.out).toBe(0);
    const ps = compose(['ps']);
    expect(ps.out).toMatch(/berthapp_web_1\s.*Up\s+127\.0\.0\.1:\d+->80\/tcp/);
    expect(ps.out).toMatch(/berthapp_client_1\s.*Up/);
    expect(await httpGetEventually(`http://127.0.0.1:${port}/`)).toBe('first boot\n');
  });

  it('services reach each other by service name', async () => {
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('1 packets received'); i++) {
      logs = compose(['logs', 'client']).out;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(logs).toContain('1 packets received');
  });

  it('labels containers for the project so docker ps can filter them', async () => {
    const names = await rig.ok(['ps', '--filter', 'label=com.docker.compose.project=berthapp', '--format', '{{.Names}}']);
    expect(names.split('\n').sort()).toEqual(['berthapp_client_1', 'berthapp_web_1']);
  });

  it('keeps named volumes across down and up, and removes them with down -v', async () => {
    const id = (await rig.ok(['ps', '-q', '--filter', 'name=berthapp_web_1'])).trim();
    await rig.ok(['exec', id, 'sh', '-c', 'echo "kept" > /data/www/index.html']).catch(async () => {
      // Without exec, write through a helper container on the same volume.
      await rig.ok(['run', '--rm', '-v', 'berthapp_content:/data', rig.busybox, 'sh', '-c', 'echo kept > /data/www/index.html']);
    });
    expect(compose(['down']).code).toBe(0);
    expect(await rig.ok(['volume', 'ls', '-q'])).toContain('berthapp_content');
    expect(compose(['up', '-d']).code).toBe(0);
    expect(await httpGetEventually(`http://127.0.0.1:${port}/`)).toBe('kept\n');
    const down = compose(['down', '-v']);
    expect(down.code, down.out).toBe(0);
    expect(await rig.ok(['volume', 'ls', '-q'])).not.toContain('berthapp_content');
    expect(await rig.ok(['network', 'ls', '--format', '{{.Name}}'])).not.toContain('berthapp_default');
    expect(await rig.ok(['ps', '-aq', '--filter', 'label=com.docker.compose.project=berthapp'])).toBe('');
  });
});
