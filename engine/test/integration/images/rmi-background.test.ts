import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dir, docker, file, ImageBuilder, pushImage, startBerthd, startRegistry, type LayerEntry, type TestRegistry } from '../../../../scripts/src/testrig/index.js';

const FILES = 20_000;

/** Snapshot dirs a lookup can see (digest hex), and the renamed ones still being deleted. */
async function snapshotDirs(dataRoot: string): Promise<{ live: string[]; removing: string[] }> {
  const names = await readdir(join(dataRoot, 'snapshots'));
  return { live: names.filter((n) => !n.startsWith('.')), removing: names.filter((n) => n.startsWith('.removed-')) };
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// `docker rmi` answers once the layer is out of the store; its files are deleted behind the client's back.
describe('docker rmi of an image with many files', () => {
  let registry: TestRegistry;
  let ref: string;
  let dataRoot: string;

  beforeAll(async () => {
    registry = await startRegistry();
    const entries: LayerEntry[] = [dir('many')];
    for (let d = 0; d < 100; d++) entries.push(dir(`many/d${d}`));
    for (let i = 0; i < FILES; i++) entries.push(file(`many/d${i % 100}/f${i}`, `file ${i}\n`));
    const b = new ImageBuilder();
    const image = await b.image({
      format: 'docker',
      platform: { os: 'linux', architecture: 'amd64' },
      layers: [{ compression: 'gzip', entries }],
      config: { Cmd: ['sh'] },
    });
    ref = `${registry.host}/berth-test/many-files:latest`;
    await pushImage({ host: registry.host, url: registry.url }, image, 'berth-test/many-files:latest', { blobs: b.blobs });
    dataRoot = await mkdtemp(join(tmpdir(), 'berth-rmi-'));
  });
  afterAll(async () => {
    await registry?.stop();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  it('returns with the layer gone from the store, and a kill -9 mid-delete leaves a consistent store', { timeout: 180_000 }, async () => {
    const args = { insecureRegistries: [registry.host], extraArgs: ['--data-root', dataRoot] };
    const first = await startBerthd(args);
    try {
      const pull = await docker(['pull', '--quiet', ref], { host: first.dockerHost });
      expect(pull.code, pull.stderr).toBe(0);
      const [layer] = (await snapshotDirs(dataRoot)).live;
      expect(layer).toBeDefined();
      expect(existsSync(join(dataRoot, 'snapshots', layer!, 'fs', 'many', 'd0', 'f0'))).toBe(true);

      const rmi = await docker(['rmi', ref], { host: first.dockerHost });
      expect(rmi.code, rmi.stderr).toBe(0);
      expect(rmi.stdout).toContain('Deleted: sha256:');
      const after = await snapshotDirs(dataRoot);
      expect(after.live).toEqual([]);
      // Whether the background deletion is still running at the kill depends on the machine's load; the store
      // must be consistent after the restart either way.
      expect(after.removing.length).toBeLessThanOrEqual(1);
      process.kill(first.pid, 'SIGKILL');
    } finally {
      await first.stop();
    }

    const second = await startBerthd(args);
    try {
      const run = (...a: string[]) => docker(a, { host: second.dockerHost });
      expect((await run('images', '-q')).stdout.trim()).toBe('');
      expect((await snapshotDirs(dataRoot)).live).toEqual([]);
      await until('the interrupted deletion to be swept', async () => (await snapshotDirs(dataRoot)).removing.length === 0);
      const again = await run('pull', '--quiet', ref);
      expect(again.code, again.stderr).toBe(0);
      const [layer] = (await snapshotDirs(dataRoot)).live;
      expect(existsSync(join(dataRoot, 'snapshots', layer!, 'fs', 'many', 'd99', `f${FILES - 1}`))).toBe(true);
    } finally {
      await second.stop();
    }
  });
});
