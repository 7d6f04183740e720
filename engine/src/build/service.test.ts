import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../base/log.js';
import type { ContainerService } from '../containers/service.js';
import type { ImageService } from '../images/service.js';
import { BuildService } from './service.js';

describe('BuildService start-up', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'berth-build-svc-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('clears what a crashed build left in the background, and a build that comes at once waits for it', async () => {
    const dataRoot = path.join(root, 'data');
    const stale = path.join(dataRoot, 'build', 'contexts', 'session-left-by-a-crash');
    mkdirSync(stale, { recursive: true });
    writeFileSync(path.join(stale, 'Dockerfile'), 'FROM scratch\n');
    const containers = { ctx: { beforeStart: [] } } as unknown as ContainerService;
    const service = new BuildService({ dataRoot, execRoot: path.join(root, 'exec'), images: {} as ImageService, containers, log: silentLogger() });
    const cleared = service.initInBackground();
    // Asked before the clearing has run: had it not waited, the clearing would remove this new directory.
    const scratch = await service.contextScratch();
    await cleared;
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(scratch)).toBe(true);
  });

  it('receives contexts and makes step dirs under directories ext4 treats as tops of hierarchies (each tree in a block group of its own)', async (t) => {
    const dataRoot = path.join(root, 'data');
    const containers = { ctx: { beforeStart: [] } } as unknown as ContainerService;
    const service = new BuildService({ dataRoot, execRoot: path.join(root, 'exec'), images: {} as ImageService, containers, log: silentLogger() });
    await service.init();
    const contexts = path.join(dataRoot, 'build', 'contexts');
    if (attrs(contexts) === undefined) {
      t.skip(`${os.tmpdir()} has no ext2/3/4 attributes here (lsattr fails), so there is no Orlov allocator to steer`);
      return;
    }
    expect(path.dirname(await service.contextScratch())).toBe(contexts);
    expect(attrs(contexts)).toContain('T');
    expect(attrs(path.join(dataRoot, 'build', 'mounts'))).toContain('T');
  });
});

/** The ext2/3/4 attribute letters of a directory (`lsattr -d`), or undefined where the file system has none. */
function attrs(dir: string): string | undefined {
  try {
    return execFileSync('lsattr', ['-d', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(' ')[0];
  } catch {
    return undefined;
  }
}
