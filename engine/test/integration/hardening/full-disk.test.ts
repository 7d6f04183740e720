// Finding 3 of issue 17: on a full disk berthd would not start, a pull that hit ENOSPC kept its partial download
// (which neither `docker system prune -af` nor a restart freed), and the CLI showed Node's raw
// `ENOSPC: no space left on device, write`. The data root here is a 64 MiB tmpfs, so "full" is exact.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rm, stat, statfs } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, file, ImageBuilder, pushImage, startBerthd, startRegistry, type RunningBerthd, type TestRegistry } from '../../../../scripts/src/testrig/index.js';

const DISK = 64 << 20;
const LAYER = 40 << 20;
let registry: TestRegistry;
let ref: string;
let tmp: string;
let dataRoot: string;
let berthd: RunningBerthd | undefined;

beforeAll(async () => {
  registry = await startRegistry();
  const b = new ImageBuilder();
  // Uncompressed and random: 40 MiB of blob and 40 MiB unpacked do not fit in 64 MiB.
  const big = await b.image({
    format: 'docker',
    platform: { os: 'linux', architecture: 'amd64' },
    layers: [{ compression: 'none', entries: [file('big.bin', randomBytes(LAYER))] }],
    config: { Cmd: ['sh'] },
  });
  ref = `${registry.host}/berth-test/too-big:latest`;
  await pushImage({ host: registry.host, url: registry.url }, big, 'berth-test/too-big:latest', { blobs: b.blobs });
  tmp = await mkdtemp(join(tmpdir(), 'berth-full-'));
  dataRoot = join(tmp, 'data');
  await mkdir(dataRoot);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK}`, 'tmpfs', dataRoot]);
}, 120_000);
afterAll(async () => {
  await berthd?.stop();
  await registry?.stop();
  if (dataRoot) execFileSync('umount', [dataRoot]);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Every start uses the first one's bridge, as a restarted engine keeps its flags (a new --bip is a write). */
let bridgeArgs: string[] = [];
async function start(): Promise<RunningBerthd> {
  const b = await startBerthd({ insecureRegistries: [registry.host], extraArgs: ['--data-root', dataRoot, ...bridgeArgs] });
  if (bridgeArgs.length === 0) bridgeArgs = ['--bridge-name', b.bridge.bridgeName, '--bip', b.bridge.bip];
  return b;
}
const run = (...args: string[]) => docker(args, { host: berthd!.dockerHost, timeoutMs: 120_000 });

async function freeBytes(): Promise<number> {
  const s = await statfs(dataRoot);
  return s.bavail * s.bsize;
}

async function ingestBytes(): Promise<number> {
  const dir = join(dataRoot, 'content', 'ingest');
  let total = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    total += (await stat(join(dir, name, 'data')).catch(() => undefined))?.size ?? 0;
  }
  return total;
}

describe('a full disk', () => {
  it('fails a pull with dockerd\'s "no space left on device" and what to do, and keeps no partial download', async () => {
    berthd = await start();
    const before = await freeBytes();
    const pull = await run('pull', ref);
    expect(pull.code).not.toBe(0);
    const shown = pull.stdout + pull.stderr;
    expect(shown).toContain('no space left on device');
    expect(shown).toContain('docker system prune');
    expect(shown).not.toContain('ENOSPC');
    expect(await ingestBytes()).toBe(0);
    expect(await readdir(join(dataRoot, 'snapshots', '.ingest'))).toEqual([]);
    // Everything the pull took is given back (a few blocks of metadata aside).
    expect(await freeBytes()).toBeGreaterThan(before - (1 << 20));
  });

  it('leaves a download cut by kill -9 to docker system prune -af, which frees it', async () => {
    const [name, tag] = [ref.slice(0, ref.lastIndexOf(':')), 'latest'];
    const req = http.request({ socketPath: berthd!.socket, method: 'POST', path: `/v1.47/images/create?fromImage=${encodeURIComponent(name)}&tag=${tag}` });
    req.on('error', () => undefined);
    req.on('response', (res) => res.resume().on('error', () => undefined));
    req.end();
    let seen = 0;
    for (let i = 0; i < 20_000 && seen < 1 << 20; i++) {
      seen = await ingestBytes();
      if (seen < 1 << 20) await new Promise((r) => setTimeout(r, 1));
    }
    process.kill(berthd!.pid, 'SIGKILL');
    await berthd!.stop();
    expect(seen, 'the kill landed mid-download').toBeGreaterThan(0);
    berthd = await start();
    // Kept across the restart, for a resume …
    expect(await ingestBytes()).toBeGreaterThan(0);
    // … until a prune reclaims it.
    const kept = await freeBytes();
    const prune = await run('system', 'prune', '-af');
    expect(prune.code, prune.stderr).toBe(0);
    expect(await ingestBytes()).toBe(0);
    expect(await freeBytes()).toBeGreaterThan(kept);
  });

  it('at 0 bytes free, berthd still starts, answers and prunes', async () => {
    await berthd!.stop();
    // Fill the disk to the last byte.
    const filler = await open(join(dataRoot, 'filler'), 'w');
    const chunk = Buffer.alloc(1 << 20);
    try {
      for (;;) await filler.write(chunk);
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    try {
      for (;;) await filler.write(chunk, 0, 4096);
    } catch {
      // the last page is taken too
    }
    await filler.close();
    expect(await freeBytes()).toBe(0);
    berthd = await start();
    expect((await run('info', '--format', '{{.ID}}')).code).toBe(0);
    const prune = await run('system', 'prune', '-af');
    expect(prune.code, prune.stderr).toBe(0);
    const create = await run('volume', 'create', 'fullvol');
    if (create.code !== 0) {
      expect(create.stderr).toContain('no space left on device');
      expect(create.stderr).not.toContain('ENOSPC');
    }
    await rm(join(dataRoot, 'filler'));
  });
});
