import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { buildLayerTar, file } from '../../../../scripts/src/testrig/index.js';

/**
 * A registry (loopback, plain HTTP: insecure by default, as with dockerd) serving one image whose only layer
 * sends its first 256 KiB and then nothing more: a pull of it is mid-download until somebody hangs up. It records
 * how many blob downloads are open, so a test sees whether berthd let go of one.
 */
export interface StallingRegistry {
  /** `127.0.0.1:PORT/stall/img:latest` */
  ref: string;
  /** Layer downloads berthd holds open right now. */
  openDownloads(): number;
  /** Layer downloads berthd has started so far. */
  startedDownloads(): number;
  close(): Promise<void>;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

export async function startStallingRegistry(): Promise<StallingRegistry> {
  const tar = await buildLayerTar([file('big.bin', randomBytes(4 * 1024 * 1024))]);
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha(tar)] } }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha(layer) }],
    }),
  );
  let open = 0;
  let started = 0;
  const held = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    const head = req.method === 'HEAD';
    const send = (type: string, body: Buffer, digest: string): void => {
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Docker-Content-Digest': digest });
      res.end(head ? undefined : body);
    };
    if (url === '/v2/') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    } else if (url.startsWith('/v2/stall/img/manifests/')) {
      send('application/vnd.docker.distribution.manifest.v2+json', manifest, sha(manifest));
    } else if (url === `/v2/stall/img/blobs/${sha(config)}`) {
      send('application/octet-stream', config, sha(config));
    } else if (url === `/v2/stall/img/blobs/${sha(layer)}` && !head) {
      started++;
      open++;
      held.add(res);
      res.on('close', () => {
        open--;
        held.delete(res);
      });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': layer.length });
      res.write(layer.subarray(0, 256 * 1024));
    } else {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end('{"errors":[{"code":"NAME_UNKNOWN","message":"not here"}]}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    ref: `127.0.0.1:${port}/stall/img:latest`,
    openDownloads: () => open,
    startedDownloads: () => started,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
