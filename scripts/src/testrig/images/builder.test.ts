import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { ImageBuilder } from './builder.js';
import { decompress } from './compress.js';
import { sha256Digest } from './digest.js';
import { hostileLayers } from './hostile.js';
import { buildLayerTar, dir, file, hardlink, opaque, symlink, whiteout } from './tar-layer.js';

async function listTar(data: Buffer): Promise<{ name: string; type: string; linkname: string | null; mode: number; uid: number; mtime: number }[]> {
  const extract = tar.extract();
  const out: { name: string; type: string; linkname: string | null; mode: number; uid: number; mtime: number }[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      out.push({ name: h.name, type: h.type ?? '', linkname: h.linkname ?? null, mode: h.mode ?? 0, uid: h.uid ?? 0, mtime: h.mtime?.getTime() ?? 0 });
      entry.resume();
    }
  })();
  extract.end(data);
  await done;
  return out;
}

describe('daemonless image builder', () => {
  const spec = () => ({
    format: 'oci' as const,
    platform: { os: 'linux', architecture: 'amd64' },
    layers: [{ compression: 'gzip' as const, entries: [dir('etc'), file('etc/x', 'x\n'), symlink('etc/y', 'x')] }],
    config: { Cmd: ['sh'] },
  });

  it('produces the same digests on every build', async () => {
    const a = await new ImageBuilder().image(spec());
    const b = await new ImageBuilder().image(spec());
    expect(b.digest).toBe(a.digest);
    expect(b.layers[0]!.digest).toBe(a.layers[0]!.digest);
  });

  it('stores each blob under the sha256 of its bytes, with diff IDs of the uncompressed tar', async () => {
    const builder = new ImageBuilder();
    const m = await builder.image(spec());
    for (const [digest, data] of builder.blobs) expect(sha256Digest(data)).toBe(digest);
    const layer = m.layers[0]!;
    expect(sha256Digest(decompress(builder.blobs.get(layer.digest)!, 'gzip'))).toBe(layer.diffId);
    const config = JSON.parse(builder.blobs.get(m.config.digest)!.toString()) as { rootfs: { diff_ids: string[] } };
    expect(config.rootfs.diff_ids).toEqual([layer.diffId]);
  });

  it('writes whiteouts, opaque markers, links, modes, owners and mtimes as given', async () => {
    const entries = await listTar(
      await buildLayerTar([
        whiteout('data/gone'),
        opaque('data/dir'),
        hardlink('data/h', 'data/k'),
        file('data/k', 'k', { mode: 0o4755, uid: 1000, mtime: new Date('2020-02-02T02:02:02Z') }),
      ]),
    );
    expect(entries.map((e) => [e.name, e.type, e.linkname])).toEqual([
      ['data/.wh.gone', 'file', null],
      ['data/dir/.wh..wh..opq', 'file', null],
      ['data/h', 'link', 'data/k'],
      ['data/k', 'file', null],
    ]);
    expect(entries[3]).toMatchObject({ mode: 0o4755, uid: 1000, mtime: Date.parse('2020-02-02T02:02:02Z') });
  });

  it('keeps hostile member names verbatim so extractors get the real attack', async () => {
    const names = async (n: keyof typeof hostileLayers) => (await listTar(await buildLayerTar(hostileLayers[n].entries))).map((e) => [e.name, e.linkname]);
    expect(await names('dotdot')).toContainEqual(['../berth-escape-dotdot.txt', null]);
    expect(await names('absolute')).toContainEqual(['/tmp/berth-escape-absolute.txt', null]);
    expect(await names('symlinkEscape')).toEqual(expect.arrayContaining([['link', '/'], ['link/tmp/berth-escape-symlink.txt', null]]));
    expect(await names('hardlinkEscape')).toContainEqual(['passwd-abs', '/etc/passwd']);
  });
});
