// The dashboard's volume browser, volume sizes and prunes against real engines: berthd, and the rig's peer dockerd
// (Debian's docker.io; the host side must work on any Docker-API engine). Nothing here starts a container:
// files go into the volume through a created container's archive API, as `docker cp` into it would.
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tar from 'tar-stream';
import { fileHandlers } from '../../src/host/ui/handlers/files.js';
import { imageHandlers } from '../../src/host/ui/handlers/images.js';
import { HELPER_IMAGE, HELPER_LABEL } from '../../src/host/ui/handlers/volume-browser.js';
import { volumeNetworkHandlers } from '../../src/host/ui/handlers/volumes-networks.js';
import { containerHandlers } from '../../src/host/ui/handlers/containers.js';
import { volumePruneCandidates } from '../../src/shared/prune-candidates.js';
import { startBerthd, startDockerd } from '../../../scripts/src/testrig/index.js';

interface Engine { socket: string; stop(): Promise<unknown> }

const engines: { name: string; start(): Promise<Engine> }[] = [
  { name: 'berthd', start: () => startBerthd() },
  { name: 'dockerd', start: () => startDockerd() },
];

async function tarOf(entries: { name: string; body?: string; linkname?: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.linkname) pack.entry({ name: e.name, type: 'symlink', linkname: e.linkname });
    else if (e.body === undefined) pack.entry({ name: e.name, type: 'directory', mode: 0o755 });
    else pack.entry({ name: e.name, mode: 0o644 }, e.body);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

for (const engine of engines) {
  describe(`volume files on ${engine.name}`, () => {
    let running: Engine;
    let docker: Docker;
    let files: ReturnType<typeof fileHandlers>;
    let volumes: ReturnType<typeof volumeNetworkHandlers>;

    const helpers = async () => (await docker.listContainers({ all: true, filters: { label: [HELPER_LABEL] } })).length;

    beforeAll(async () => {
      running = await engine.start();
      docker = new Docker({ socketPath: running.socket });
      files = fileHandlers(docker);
      volumes = volumeNetworkHandlers(docker);
    });
    afterAll(async () => { await running?.stop(); });

    it('lists an empty volume through a helper it imports on demand, labelled, and removes the helper', async () => {
      await docker.createVolume({ Name: 'vb-data' });
      expect(await files['volumes.files']({ name: 'vb-data', path: '/' })).toEqual([]);
      const image = await docker.getImage(HELPER_IMAGE).inspect();
      expect(image.Config.Labels?.[HELPER_LABEL]).toMatch(/Berth/);
      expect(await helpers()).toBe(0);
    });

    it('browses directories, reads a file, and never leaves the volume', async () => {
      const writer = await docker.createContainer({ Image: HELPER_IMAGE, Cmd: ['/x'], HostConfig: { Binds: ['vb-data:/data'] } });
      await writer.putArchive(await tarOf([
        { name: 'hello.txt', body: 'hello from a volume\n' },
        { name: 'sub/' },
        { name: 'sub/deep.txt', body: 'deep' },
        { name: 'link', linkname: '/etc/passwd' },
      ]), { path: '/data' });
      await writer.remove();

      const root = await files['volumes.files']({ name: 'vb-data', path: '/' });
      expect(root.map((e) => [e.name, e.kind, e.path])).toEqual([
        ['sub', 'dir', '/sub'], ['hello.txt', 'file', '/hello.txt'], ['link', 'symlink', '/link'],
      ]);
      expect(root.find((e) => e.name === 'hello.txt')?.size).toBe(20);
      expect((await files['volumes.files']({ name: 'vb-data', path: '/sub/' })).map((e) => e.path)).toEqual(['/sub/deep.txt']);

      const file = await files['volumes.readFile']({ name: 'vb-data', path: '/hello.txt' });
      expect({ name: file.name, text: Buffer.from(file.base64, 'base64').toString(), size: file.size }).toEqual({ name: 'hello.txt', text: 'hello from a volume\n', size: 20 });
      // `..` is clamped to the volume's root: this is the volume's own hello.txt, not something beside it.
      expect((await files['volumes.readFile']({ name: 'vb-data', path: '/../../hello.txt' })).size).toBe(20);
      await expect(files['volumes.readFile']({ name: 'vb-data', path: '/link' })).rejects.toMatchObject({ message: 'not a regular file' });
      await expect(files['volumes.readFile']({ name: 'vb-data', path: '/nope.txt' })).rejects.toMatchObject({ statusCode: 404 });
      expect(await helpers()).toBe(0);
    });

    it('says a missing volume is missing, without creating it', async () => {
      await expect(files['volumes.files']({ name: 'vb-missing', path: '/' })).rejects.toMatchObject({ code: 'not_found', message: 'get vb-missing: no such volume' });
      await expect(docker.getVolume('vb-missing').inspect()).rejects.toMatchObject({ statusCode: 404 });
    });

    it('hides helper containers from the Containers list and the volume users', async () => {
      const helper = await docker.createContainer({ Image: HELPER_IMAGE, Cmd: ['/x'], Labels: { [HELPER_LABEL]: 'vb-data' }, HostConfig: { Binds: ['vb-data:/volume:ro'] } });
      try {
        expect((await containerHandlers(docker)['containers.list']()).map((c) => c.id)).not.toContain(helper.id);
        expect((await volumes['volumes.list']()).find((v) => v.name === 'vb-data')?.usedBy).toEqual([]);
      } finally {
        await helper.remove();
      }
    });

    it('measures volume sizes', async () => {
      expect((await volumes['volumes.usage']())['vb-data']).toBeGreaterThanOrEqual(24);
    });

    it('re-imports the helper image after an "all unused images" prune took it', async () => {
      const pruned = await imageHandlers(docker)['images.prune']({ dangling: false });
      expect(pruned.removed).toContain(HELPER_IMAGE);
      expect((await files['volumes.files']({ name: 'vb-data', path: '/sub' })).map((e) => e.name)).toEqual(['deep.txt']);
    });

    it('prunes anonymous unused volumes by default, and named ones only when asked for all', async () => {
      const anon = await docker.createContainer({ Image: HELPER_IMAGE, Cmd: ['/x'], HostConfig: { Mounts: [{ Type: 'volume', Source: '', Target: '/anon' }] } });
      const anonName = (await anon.inspect()).Mounts[0]!.Name!;
      await anon.remove();
      // What the dialog lists is what goes (dockerd 20.10 labels no volume anonymous: nothing, then everything).
      const before = await volumes['volumes.list']();
      const first = await volumes['volumes.prune']({ all: false });
      expect(first.removed.sort()).toEqual(volumePruneCandidates(before, false).map((v) => v.name).sort());
      const second = await volumes['volumes.prune']({ all: true });
      expect([...first.removed, ...second.removed].sort()).toEqual([anonName, 'vb-data'].sort());
      expect(volumePruneCandidates(before, true).map((v) => v.name).sort()).toEqual([anonName, 'vb-data'].sort());
      expect(second.spaceReclaimed).toBeGreaterThanOrEqual(24);
    });
  });
}
