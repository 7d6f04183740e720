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
});
