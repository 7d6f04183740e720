import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  docker,
  pushTestImages,
  startBerthd,
  startDockerd,
  startRegistry,
  type PushedTestImages,
  type RunningBerthd,
  type RunningDockerd,
  type TestRegistry,
} from '../../../../scripts/src/testrig/index.js';

// The peer is the rig's dockerd (Debian bookworm's docker.io, unpacked into .cache/toolchain by set-up).
describe('images move between berthd and a real dockerd', () => {
  let registry: TestRegistry;
  let images: PushedTestImages;
  let berth: RunningBerthd;
  let dockerd: RunningDockerd;
  let work: string;
  const b = async (...args: string[]) => {
    const r = await docker(args, { host: berth.dockerHost });
    expect(r.code, `berth: docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout.trim();
  };
  const d = async (...args: string[]) => {
    const r = await docker(args, { host: dockerd.dockerHost });
    expect(r.code, `dockerd: docker ${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.stdout.trim();
  };

  beforeAll(async () => {
    registry = await startRegistry();
    images = await pushTestImages(registry);
    [berth, dockerd] = await Promise.all([startBerthd({ insecureRegistries: [registry.host] }), startDockerd()]);
    work = await mkdtemp(join(tmpdir(), 'interop-'));
  });
  afterAll(async () => {
    await berth?.stop();
    await dockerd?.stop();
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('an image pushed by berthd pulls in dockerd, and dockerd’s push pulls back into berthd with the same ID', async () => {
    const fromBerth = `${registry.host}/interop/from-berth:v1`;
    await b('pull', images.whiteouts.reference);
    const id = await b('image', 'inspect', '--format', '{{.Id}}', images.whiteouts.reference);
    await b('tag', images.whiteouts.reference, fromBerth);
    await b('push', fromBerth);
    await d('pull', fromBerth);
    expect(await d('image', 'inspect', '--format', '{{.Id}}', fromBerth)).toBe(id);

    const fromDockerd = `${registry.host}/interop/from-dockerd:v1`;
    await d('tag', fromBerth, fromDockerd);
    await d('push', fromDockerd);
    await b('pull', fromDockerd);
    expect(await b('image', 'inspect', '--format', '{{.Id}}', fromDockerd)).toBe(id);
  });

  it('loads what the other one saved', async () => {
    const tar = join(work, 'from-dockerd.tar');
    await d('pull', images.config.reference);
    const id = await d('image', 'inspect', '--format', '{{.Id}}', images.config.reference);
    await d('save', '-o', tar, images.config.reference);
    expect(await b('load', '-i', tar)).toContain(`Loaded image: ${images.config.reference}`);
    expect(await b('image', 'inspect', '--format', '{{.Id}}', images.config.reference)).toBe(id);

    const back = join(work, 'from-berth.tar');
    await b('save', '-o', back, images.config.reference);
    await d('rmi', images.config.reference);
    expect(await d('load', '-i', back)).toContain(images.config.reference);
    expect(await d('image', 'inspect', '--format', '{{.Id}}', images.config.reference)).toBe(id);
  });
});
