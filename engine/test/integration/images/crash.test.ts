import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  ImageBuilder,
  file,
  pushImage,
  startBerthd,
  startRegistry,
  type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';
import { withMergedView } from './helpers.js';

const BIG = 96 * 1024 * 1024;

async function ingestBytes(dataRoot: string): Promise<number> {
  const dir = join(dataRoot, 'content', 'ingest');
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    total += (await stat(join(dir, name, 'data')).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

describe('kill -9 of berthd in the middle of a pull', () => {
  let registry: TestRegistry;
  let ref: string;
  let dataRoot: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const b = new ImageBuilder();
    const big = await b.image({
      format: 'docker',
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [{ compression: 'none', entries: [file('big.bin', randomBytes(BIG))] }],
      config: { Cmd: ['sh'] },
    });
    ref = `${registry.host}/berth-test/big:latest`;
    await pushImage({ host: registry.host, url: registry.url }, big, 'berth-test/big:latest', { blobs: b.blobs });
    dataRoot = await mkdtemp(join(tmpdir(), 'berth-crash-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('leaves a consistent store, and a re-pull after restart succeeds', async () => {
    const first = await startBerthd({ insecureRegistries: [registry.host], extraArgs: ['--data-root', dataRoot] });
    const [name, tag] = [ref.slice(0, ref.lastIndexOf(':')), 'latest'];
    const req = http.request({ socketPath: first.socket, method: 'POST', path: `/v1.47/images/create?fromImage=${encodeURIComponent(name)}&tag=${tag}` });
    req.on('error', () => undefined);
    req.on('response', (res) => res.resume().on('error', () => undefined));
    req.end();
    let seen = 0;
    for (let i = 0; i < 20_000 && seen < 1024 * 1024; i++) {
      seen = await ingestBytes(dataRoot);
      if (seen < 1024 * 1024) await new Promise((r) => setTimeout(r, 1));
    }
    process.kill(first.pid, 'SIGKILL');
    await first.stop();
    expect(seen, 'the kill landed mid-download').toBeGreaterThan(0);
    expect(seen).toBeLessThan(BIG);

    const second = await startBerthd({ insecureRegistries: [registry.host], extraArgs: ['--data-root', dataRoot] });
    try {
      const run = (...args: string[]) => docker(args, { host: second.dockerHost });
      expect((await run('images', '-q')).stdout.trim()).toBe('');
      expect(await readdir(join(dataRoot, 'snapshots', '.ingest'))).toEqual([]);
      const pull = await run('pull', ref);
      expect(pull.code, pull.stderr).toBe(0);
      expect(await ingestBytes(dataRoot)).toBe(0);
      const info = JSON.parse((await run('image', 'inspect', ref)).stdout) as { GraphDriver: { Data: { UpperDir: string } } }[];
      await withMergedView([info[0]!.GraphDriver.Data.UpperDir], async (root) => {
        expect((await stat(join(root, 'big.bin'))).size).toBe(BIG);
      });
      expect(existsSync(join(dataRoot, 'images', 'db.json'))).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
