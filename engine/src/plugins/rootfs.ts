/**
 * A plugin's root filesystem: `docker plugin create` sends a tar of `config.json` plus `rootfs/`; the rootfs part
 * becomes the plugin's one layer, stored gzip'd in the plugin blob store (as dockerd stores it, and as push sends
 * it), then unpacked from that blob into `<plugin>/rootfs` by the same code a pulled layer takes.
 */
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { extract, pack, type Header } from 'tar-stream';
import { SystemError } from '../base/errors.js';
import type { BlobInfo, ContentStore } from '../content/store.js';
import { decompressed } from '../snapshots/decompress.js';
import { unpackLayer } from '../snapshots/unpack.js';

export interface PluginContext {
  /** The context's `config.json`, undefined when it had none. */
  config: Buffer | undefined;
  /** The gzip'd tar of everything under `rootfs/`, renamed to the layer root. */
  layer: BlobInfo;
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c);
  return Buffer.concat(chunks);
}

function addEntry(out: ReturnType<typeof pack>, header: Header, body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      body.resume();
      out.entry(header, (err) => (err ? reject(err) : resolve()));
      return;
    }
    const sink = out.entry(header, (err) => (err ? reject(err) : resolve()));
    pipeline(body, sink as unknown as Writable).catch(reject);
  });
}

/**
 * Splits a create context as dockerd's `splitConfigRootFSFromTar`: config.json kept, rootfs/ re-rooted. A
 * compressed context (`docker plugin create --compress` sends gzip) is decompressed first.
 */
export async function splitPluginContext(request: Readable, blobs: ContentStore): Promise<PluginContext> {
  const source = await decompressed(request);
  const ex = extract();
  const out = pack();
  const gzip = createGzip();
  const storing = blobs.putStream(gzip);
  const packing = pipeline(out, gzip);
  const feeding = pipeline(source, ex);
  let config: Buffer | undefined;
  let hasRootfs = false;
  try {
    for await (const entry of ex) {
      const h = entry.header;
      let name = posix.normalize(h.name);
      if (name.startsWith('/')) name = name.slice(1);
      name = name.replace(/\/$/, '');
      if (name === 'config.json') {
        config = await readAll(entry as AsyncIterable<Buffer>);
        continue;
      }
      const parts = name.split('/');
      if (parts[0] !== 'rootfs') {
        entry.resume();
        continue;
      }
      const header: Header = { ...h, name: posix.normalize(parts.slice(1).join('/') || '.') };
      if (h.type === 'link' && h.linkname?.toLowerCase().startsWith('rootfs/')) header.linkname = h.linkname.slice('rootfs/'.length);
      await addEntry(out, header, entry as unknown as Readable);
      hasRootfs = true;
    }
    await feeding;
  } catch (err) {
    out.destroy();
    source.destroy();
    request.destroy();
    await Promise.allSettled([storing, packing, feeding]);
    throw new SystemError(`failed to read from tar: ${(err as Error).message}`, { cause: err });
  }
  if (!hasRootfs) {
    out.destroy();
    await Promise.allSettled([storing, packing]);
    throw new SystemError('no rootfs found: EOF');
  }
  out.finalize();
  await packing;
  return { config, layer: await storing };
}

/**
 * Unpacks a plugin's layers into an empty dir. One layer is what `docker plugin create` makes and what published
 * plugins carry; the unpacker needs an empty root, so a plugin of several layers is refused plainly.
 */
export async function unpackPluginLayers(blobs: ContentStore, layers: readonly string[], dir: string): Promise<void> {
  if (layers.length !== 1) {
    throw new SystemError(`plugin has ${layers.length} rootfs layers: berthd installs plugins with exactly one (what docker plugin create makes)`);
  }
  await unpackLayer(await decompressed(blobs.readStream(layers[0]!)), dir);
}
