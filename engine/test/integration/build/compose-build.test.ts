import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startContainerRig, type ContainerRig } from '../containers/harness.js';

let rig: ContainerRig;
let dir: string;

/** Compose v1 (docker-py) builds through `POST /build` itself, with its own context tar and `.dockerignore`. */
function compose(args: string[]): { code: number; out: string } {
  const r = spawnSync('docker-compose', ['--project-name', 'berthbuild', ...args], {
    cwd: dir,
    env: { ...process.env, DOCKER_HOST: rig.berthd.dockerHost, COMPOSE_DOCKER_CLI_BUILD: '0', DOCKER_BUILDKIT: '0' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  rig = await startContainerRig();
  dir = mkdtempSync(path.join(os.tmpdir(), 'berth-compose-build-'));
  mkdirSync(path.join(dir, 'app'));
  writeFileSync(
    path.join(dir, 'docker-compose.yml'),
    `version: "3.8"
services:
  app:
    build:
      context: ./app
      dockerfile: build.Dockerfile
      args:
        BASE: ${rig.busybox}
        FLAVOUR: composed
      labels:
        com.example.built-by: compose
      target: final
    image: berth-test/composed:1
`,
  );
  writeFileSync(
    path.join(dir, 'app', 'build.Dockerfile'),
    'ARG BASE\nFROM $BASE AS base\nARG FLAVOUR=plain\nRUN echo "$FLAVOUR" > /flavour\nFROM base AS final\nCOPY . /app/\nCMD ["cat", "/flavour"]\nFROM final AS unused\nRUN exit 1\n',
  );
  writeFileSync(path.join(dir, 'app', 'index.txt'), 'hello\n');
  writeFileSync(path.join(dir, 'app', 'debug.log'), 'noise\n');
  writeFileSync(path.join(dir, 'app', '.dockerignore'), '*.log\n');
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Compose v1 build: sections', () => {
  it('builds the service image with its args, labels, target and Dockerfile', async () => {
    const r = compose(['build']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Successfully tagged berth-test/composed:1');
    expect(await rig.ok(['run', '--rm', 'berth-test/composed:1'])).toBe('composed');
    expect(await rig.ok(['run', '--rm', 'berth-test/composed:1', 'ls', '/app'])).toBe('build.Dockerfile\nindex.txt');
    expect(await rig.ok(['image', 'inspect', '--format', '{{index .Config.Labels "com.example.built-by"}}', 'berth-test/composed:1'])).toBe('compose');
  }, 120_000);

  it('rebuilds from the cache', () => {
    const r = compose(['build']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('Using cache');
    expect(r.out).not.toContain('Running in');
  }, 120_000);
});
